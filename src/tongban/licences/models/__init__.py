from .licences import Licence, LicenceVersion
from .seals import SealKey
from .vault import Objection, VaultEntry

__all__ = ["Licence", "LicenceVersion", "Objection", "SealKey", "VaultEntry"]
