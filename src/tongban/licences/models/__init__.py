from .licences import Licence, LicenceVersion
from .seals import SealKey
from .stats import MaterialDailyStat, MaterialStatsMark
from .vault import Objection, VaultEntry

__all__ = ["Licence", "LicenceVersion", "MaterialDailyStat", "MaterialStatsMark", "Objection", "SealKey", "VaultEntry"]
