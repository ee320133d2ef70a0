from .bundles import Bundle, BundleItem
from .implementations import ItemImplementation
from .items import ItemVersion, Material, Question, ServiceItem
from .reference import FormField, LicenceHolding, LicenceType, MaterialType
from .stats import ItemDailyStat

__all__ = [
    "Bundle", "BundleItem", "FormField", "ItemDailyStat", "ItemImplementation", "ItemVersion", "LicenceHolding",
    "LicenceType", "Material", "MaterialType", "Question", "ServiceItem",
]
