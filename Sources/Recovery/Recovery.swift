// Recovery: see issues; the module exists so the layering is fixed from the start.
