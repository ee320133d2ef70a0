"""Electronic licences: the library, seals, verification, the material vault and the data-use tracker (issue 6)."""
