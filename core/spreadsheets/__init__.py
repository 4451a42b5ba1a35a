"""Reading and writing the spreadsheets people exchange (excel-templates.md)."""
