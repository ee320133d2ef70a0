from .licences import Licence, LicenceVersion
from .seals import SealKey

__all__ = ["Licence", "LicenceVersion", "SealKey"]
