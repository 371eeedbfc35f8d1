"""Storage: the port (`Store`) and its adapters. Only `app.factory` picks an adapter."""
