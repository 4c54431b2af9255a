"""Services: the only code that changes domain rows. One module per entity."""
