"""File writers and readers: Excel workbooks and PDFs out, clients' spreadsheets in. No Qt here."""
