"""Rule modules, one per family; ``registry.RULE_MODULES`` lists them and ``registry.all_rules()``
imports them on first use, so importing ``reviewer.rules`` alone registers nothing."""
