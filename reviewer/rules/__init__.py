"""Rule modules. Importing this package registers every rule in ``registry.REGISTRY``."""

import importlib
import pkgutil

for _info in pkgutil.iter_modules(__path__):
    if _info.name not in ("registry", "helpers") and not _info.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_info.name}")
