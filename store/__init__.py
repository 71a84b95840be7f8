"""What outlives a session: saved scenarios (SQLite or PostgreSQL), the workspace folder on disk
(imported files and datasets), and perimeters packed into share links."""
