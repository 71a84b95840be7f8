"""What a porteur or an ARS takes away: the lettre d'intention table, the fiche périmètre (PDF and
map image)."""
