"""File formats in and out: geographic layers, code tables and spreadsheets, archives, and the
official datasets as their publishers distribute them (INSEE, DREES, CartoSanté, FINESS, IGN).
Knows the domain (`geo`, `indicators`), never the app."""
