from .bundles import Bundle, BundleItem
from .implementations import ItemImplementation
from .items import ItemVersion, Material, Question, ServiceItem
from .reference import FormField, LicenceType, MaterialType

__all__ = [
    "Bundle", "BundleItem", "FormField", "ItemImplementation", "ItemVersion", "LicenceType", "Material",
    "MaterialType", "Question", "ServiceItem",
]
