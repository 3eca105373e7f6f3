"""Reading: pure parsers of receipt text (money, dates and times, phones, names, rows, arithmetic). No evidence."""
