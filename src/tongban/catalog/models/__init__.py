from .bundles import Bundle, BundleItem
from .implementations import ItemImplementation
from .items import ItemVersion, Material, Question, ServiceItem
from .reference import FormField, LicenceHolding, LicenceType, MaterialType

__all__ = [
    "Bundle", "BundleItem", "FormField", "ItemImplementation", "ItemVersion", "LicenceHolding", "LicenceType", "Material",
    "MaterialType", "Question", "ServiceItem",
]
