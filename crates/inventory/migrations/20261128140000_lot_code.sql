-- Lots are looked up by their code alone (a scanned lot label, a recall): an index for it.
create index inventory_lot_code_idx on inventory_lot (company_id, code);
