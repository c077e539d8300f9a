-- Times as one fixed-width UTC text (`2026-12-04T07:32:31.123456Z`, see store/src/stamp.rs),
-- so that SQLite, which compares text, compares times. Rows written before kept the writer's
-- offset (`…+05:30`) and dropped trailing zeros of the fraction; both are rewritten here:
-- strftime turns the time to UTC (whole seconds), the fraction is kept, padded to microseconds.
-- A value SQLite cannot read as a time is left as it is. Running this again changes nothing.

UPDATE users SET
    created_at = CASE WHEN created_at IS NULL OR length(created_at) < 19 OR strftime('%s', created_at) IS NULL THEN created_at
        ELSE strftime('%Y-%m-%dT%H:%M:%S', created_at) || '.' || substr(CASE WHEN substr(created_at, 20, 1) = '.' THEN substr(substr(created_at, 21), 1, (SELECT MIN(p) FROM (SELECT instr(substr(created_at, 21), 'Z') AS p UNION ALL SELECT instr(substr(created_at, 21), '+') UNION ALL SELECT instr(substr(created_at, 21), '-')) WHERE p > 0) - 1) ELSE '' END || '000000', 1, 6) || 'Z' END,
    updated_at = CASE WHEN updated_at IS NULL OR length(updated_at) < 19 OR strftime('%s', updated_at) IS NULL THEN updated_at
        ELSE strftime('%Y-%m-%dT%H:%M:%S', updated_at) || '.' || substr(CASE WHEN substr(updated_at, 20, 1) = '.' THEN substr(substr(updated_at, 21), 1, (SELECT MIN(p) FROM (SELECT instr(substr(updated_at, 21), 'Z') AS p UNION ALL SELECT instr(substr(updated_at, 21), '+') UNION ALL SELECT instr(substr(updated_at, 21), '-')) WHERE p > 0) - 1) ELSE '' END || '000000', 1, 6) || 'Z' END,
    approved_at = CASE WHEN approved_at IS NULL OR length(approved_at) < 19 OR strftime('%s', approved_at) IS NULL THEN approved_at
        ELSE strftime('%Y-%m-%dT%H:%M:%S', approved_at) || '.' || substr(CASE WHEN substr(approved_at, 20, 1) = '.' THEN substr(substr(approved_at, 21), 1, (SELECT MIN(p) FROM (SELECT instr(substr(approved_at, 21), 'Z') AS p UNION ALL SELECT instr(substr(approved_at, 21), '+') UNION ALL SELECT instr(substr(approved_at, 21), '-')) WHERE p > 0) - 1) ELSE '' END || '000000', 1, 6) || 'Z' END;

UPDATE sessions SET
    created_at = CASE WHEN created_at IS NULL OR length(created_at) < 19 OR strftime('%s', created_at) IS NULL THEN created_at
        ELSE strftime('%Y-%m-%dT%H:%M:%S', created_at) || '.' || substr(CASE WHEN substr(created_at, 20, 1) = '.' THEN substr(substr(created_at, 21), 1, (SELECT MIN(p) FROM (SELECT instr(substr(created_at, 21), 'Z') AS p UNION ALL SELECT instr(substr(created_at, 21), '+') UNION ALL SELECT instr(substr(created_at, 21), '-')) WHERE p > 0) - 1) ELSE '' END || '000000', 1, 6) || 'Z' END,
    expires_at = CASE WHEN expires_at IS NULL OR length(expires_at) < 19 OR strftime('%s', expires_at) IS NULL THEN expires_at
        ELSE strftime('%Y-%m-%dT%H:%M:%S', expires_at) || '.' || substr(CASE WHEN substr(expires_at, 20, 1) = '.' THEN substr(substr(expires_at, 21), 1, (SELECT MIN(p) FROM (SELECT instr(substr(expires_at, 21), 'Z') AS p UNION ALL SELECT instr(substr(expires_at, 21), '+') UNION ALL SELECT instr(substr(expires_at, 21), '-')) WHERE p > 0) - 1) ELSE '' END || '000000', 1, 6) || 'Z' END,
    revoked_at = CASE WHEN revoked_at IS NULL OR length(revoked_at) < 19 OR strftime('%s', revoked_at) IS NULL THEN revoked_at
        ELSE strftime('%Y-%m-%dT%H:%M:%S', revoked_at) || '.' || substr(CASE WHEN substr(revoked_at, 20, 1) = '.' THEN substr(substr(revoked_at, 21), 1, (SELECT MIN(p) FROM (SELECT instr(substr(revoked_at, 21), 'Z') AS p UNION ALL SELECT instr(substr(revoked_at, 21), '+') UNION ALL SELECT instr(substr(revoked_at, 21), '-')) WHERE p > 0) - 1) ELSE '' END || '000000', 1, 6) || 'Z' END;

UPDATE addresses SET
    created_at = CASE WHEN created_at IS NULL OR length(created_at) < 19 OR strftime('%s', created_at) IS NULL THEN created_at
        ELSE strftime('%Y-%m-%dT%H:%M:%S', created_at) || '.' || substr(CASE WHEN substr(created_at, 20, 1) = '.' THEN substr(substr(created_at, 21), 1, (SELECT MIN(p) FROM (SELECT instr(substr(created_at, 21), 'Z') AS p UNION ALL SELECT instr(substr(created_at, 21), '+') UNION ALL SELECT instr(substr(created_at, 21), '-')) WHERE p > 0) - 1) ELSE '' END || '000000', 1, 6) || 'Z' END;

UPDATE restaurants SET
    created_at = CASE WHEN created_at IS NULL OR length(created_at) < 19 OR strftime('%s', created_at) IS NULL THEN created_at
        ELSE strftime('%Y-%m-%dT%H:%M:%S', created_at) || '.' || substr(CASE WHEN substr(created_at, 20, 1) = '.' THEN substr(substr(created_at, 21), 1, (SELECT MIN(p) FROM (SELECT instr(substr(created_at, 21), 'Z') AS p UNION ALL SELECT instr(substr(created_at, 21), '+') UNION ALL SELECT instr(substr(created_at, 21), '-')) WHERE p > 0) - 1) ELSE '' END || '000000', 1, 6) || 'Z' END,
    updated_at = CASE WHEN updated_at IS NULL OR length(updated_at) < 19 OR strftime('%s', updated_at) IS NULL THEN updated_at
        ELSE strftime('%Y-%m-%dT%H:%M:%S', updated_at) || '.' || substr(CASE WHEN substr(updated_at, 20, 1) = '.' THEN substr(substr(updated_at, 21), 1, (SELECT MIN(p) FROM (SELECT instr(substr(updated_at, 21), 'Z') AS p UNION ALL SELECT instr(substr(updated_at, 21), '+') UNION ALL SELECT instr(substr(updated_at, 21), '-')) WHERE p > 0) - 1) ELSE '' END || '000000', 1, 6) || 'Z' END;

UPDATE menu_categories SET
    created_at = CASE WHEN created_at IS NULL OR length(created_at) < 19 OR strftime('%s', created_at) IS NULL THEN created_at
        ELSE strftime('%Y-%m-%dT%H:%M:%S', created_at) || '.' || substr(CASE WHEN substr(created_at, 20, 1) = '.' THEN substr(substr(created_at, 21), 1, (SELECT MIN(p) FROM (SELECT instr(substr(created_at, 21), 'Z') AS p UNION ALL SELECT instr(substr(created_at, 21), '+') UNION ALL SELECT instr(substr(created_at, 21), '-')) WHERE p > 0) - 1) ELSE '' END || '000000', 1, 6) || 'Z' END;

UPDATE menu_items SET
    created_at = CASE WHEN created_at IS NULL OR length(created_at) < 19 OR strftime('%s', created_at) IS NULL THEN created_at
        ELSE strftime('%Y-%m-%dT%H:%M:%S', created_at) || '.' || substr(CASE WHEN substr(created_at, 20, 1) = '.' THEN substr(substr(created_at, 21), 1, (SELECT MIN(p) FROM (SELECT instr(substr(created_at, 21), 'Z') AS p UNION ALL SELECT instr(substr(created_at, 21), '+') UNION ALL SELECT instr(substr(created_at, 21), '-')) WHERE p > 0) - 1) ELSE '' END || '000000', 1, 6) || 'Z' END,
    updated_at = CASE WHEN updated_at IS NULL OR length(updated_at) < 19 OR strftime('%s', updated_at) IS NULL THEN updated_at
        ELSE strftime('%Y-%m-%dT%H:%M:%S', updated_at) || '.' || substr(CASE WHEN substr(updated_at, 20, 1) = '.' THEN substr(substr(updated_at, 21), 1, (SELECT MIN(p) FROM (SELECT instr(substr(updated_at, 21), 'Z') AS p UNION ALL SELECT instr(substr(updated_at, 21), '+') UNION ALL SELECT instr(substr(updated_at, 21), '-')) WHERE p > 0) - 1) ELSE '' END || '000000', 1, 6) || 'Z' END;

UPDATE carts SET
    updated_at = CASE WHEN updated_at IS NULL OR length(updated_at) < 19 OR strftime('%s', updated_at) IS NULL THEN updated_at
        ELSE strftime('%Y-%m-%dT%H:%M:%S', updated_at) || '.' || substr(CASE WHEN substr(updated_at, 20, 1) = '.' THEN substr(substr(updated_at, 21), 1, (SELECT MIN(p) FROM (SELECT instr(substr(updated_at, 21), 'Z') AS p UNION ALL SELECT instr(substr(updated_at, 21), '+') UNION ALL SELECT instr(substr(updated_at, 21), '-')) WHERE p > 0) - 1) ELSE '' END || '000000', 1, 6) || 'Z' END;

UPDATE offers SET
    valid_from = CASE WHEN valid_from IS NULL OR length(valid_from) < 19 OR strftime('%s', valid_from) IS NULL THEN valid_from
        ELSE strftime('%Y-%m-%dT%H:%M:%S', valid_from) || '.' || substr(CASE WHEN substr(valid_from, 20, 1) = '.' THEN substr(substr(valid_from, 21), 1, (SELECT MIN(p) FROM (SELECT instr(substr(valid_from, 21), 'Z') AS p UNION ALL SELECT instr(substr(valid_from, 21), '+') UNION ALL SELECT instr(substr(valid_from, 21), '-')) WHERE p > 0) - 1) ELSE '' END || '000000', 1, 6) || 'Z' END,
    valid_until = CASE WHEN valid_until IS NULL OR length(valid_until) < 19 OR strftime('%s', valid_until) IS NULL THEN valid_until
        ELSE strftime('%Y-%m-%dT%H:%M:%S', valid_until) || '.' || substr(CASE WHEN substr(valid_until, 20, 1) = '.' THEN substr(substr(valid_until, 21), 1, (SELECT MIN(p) FROM (SELECT instr(substr(valid_until, 21), 'Z') AS p UNION ALL SELECT instr(substr(valid_until, 21), '+') UNION ALL SELECT instr(substr(valid_until, 21), '-')) WHERE p > 0) - 1) ELSE '' END || '000000', 1, 6) || 'Z' END,
    created_at = CASE WHEN created_at IS NULL OR length(created_at) < 19 OR strftime('%s', created_at) IS NULL THEN created_at
        ELSE strftime('%Y-%m-%dT%H:%M:%S', created_at) || '.' || substr(CASE WHEN substr(created_at, 20, 1) = '.' THEN substr(substr(created_at, 21), 1, (SELECT MIN(p) FROM (SELECT instr(substr(created_at, 21), 'Z') AS p UNION ALL SELECT instr(substr(created_at, 21), '+') UNION ALL SELECT instr(substr(created_at, 21), '-')) WHERE p > 0) - 1) ELSE '' END || '000000', 1, 6) || 'Z' END;

UPDATE orders SET
    estimated_delivery_time = CASE WHEN estimated_delivery_time IS NULL OR length(estimated_delivery_time) < 19 OR strftime('%s', estimated_delivery_time) IS NULL THEN estimated_delivery_time
        ELSE strftime('%Y-%m-%dT%H:%M:%S', estimated_delivery_time) || '.' || substr(CASE WHEN substr(estimated_delivery_time, 20, 1) = '.' THEN substr(substr(estimated_delivery_time, 21), 1, (SELECT MIN(p) FROM (SELECT instr(substr(estimated_delivery_time, 21), 'Z') AS p UNION ALL SELECT instr(substr(estimated_delivery_time, 21), '+') UNION ALL SELECT instr(substr(estimated_delivery_time, 21), '-')) WHERE p > 0) - 1) ELSE '' END || '000000', 1, 6) || 'Z' END,
    accept_by = CASE WHEN accept_by IS NULL OR length(accept_by) < 19 OR strftime('%s', accept_by) IS NULL THEN accept_by
        ELSE strftime('%Y-%m-%dT%H:%M:%S', accept_by) || '.' || substr(CASE WHEN substr(accept_by, 20, 1) = '.' THEN substr(substr(accept_by, 21), 1, (SELECT MIN(p) FROM (SELECT instr(substr(accept_by, 21), 'Z') AS p UNION ALL SELECT instr(substr(accept_by, 21), '+') UNION ALL SELECT instr(substr(accept_by, 21), '-')) WHERE p > 0) - 1) ELSE '' END || '000000', 1, 6) || 'Z' END,
    created_at = CASE WHEN created_at IS NULL OR length(created_at) < 19 OR strftime('%s', created_at) IS NULL THEN created_at
        ELSE strftime('%Y-%m-%dT%H:%M:%S', created_at) || '.' || substr(CASE WHEN substr(created_at, 20, 1) = '.' THEN substr(substr(created_at, 21), 1, (SELECT MIN(p) FROM (SELECT instr(substr(created_at, 21), 'Z') AS p UNION ALL SELECT instr(substr(created_at, 21), '+') UNION ALL SELECT instr(substr(created_at, 21), '-')) WHERE p > 0) - 1) ELSE '' END || '000000', 1, 6) || 'Z' END,
    updated_at = CASE WHEN updated_at IS NULL OR length(updated_at) < 19 OR strftime('%s', updated_at) IS NULL THEN updated_at
        ELSE strftime('%Y-%m-%dT%H:%M:%S', updated_at) || '.' || substr(CASE WHEN substr(updated_at, 20, 1) = '.' THEN substr(substr(updated_at, 21), 1, (SELECT MIN(p) FROM (SELECT instr(substr(updated_at, 21), 'Z') AS p UNION ALL SELECT instr(substr(updated_at, 21), '+') UNION ALL SELECT instr(substr(updated_at, 21), '-')) WHERE p > 0) - 1) ELSE '' END || '000000', 1, 6) || 'Z' END,
    pay_by = CASE WHEN pay_by IS NULL OR length(pay_by) < 19 OR strftime('%s', pay_by) IS NULL THEN pay_by
        ELSE strftime('%Y-%m-%dT%H:%M:%S', pay_by) || '.' || substr(CASE WHEN substr(pay_by, 20, 1) = '.' THEN substr(substr(pay_by, 21), 1, (SELECT MIN(p) FROM (SELECT instr(substr(pay_by, 21), 'Z') AS p UNION ALL SELECT instr(substr(pay_by, 21), '+') UNION ALL SELECT instr(substr(pay_by, 21), '-')) WHERE p > 0) - 1) ELSE '' END || '000000', 1, 6) || 'Z' END,
    assigned_at = CASE WHEN assigned_at IS NULL OR length(assigned_at) < 19 OR strftime('%s', assigned_at) IS NULL THEN assigned_at
        ELSE strftime('%Y-%m-%dT%H:%M:%S', assigned_at) || '.' || substr(CASE WHEN substr(assigned_at, 20, 1) = '.' THEN substr(substr(assigned_at, 21), 1, (SELECT MIN(p) FROM (SELECT instr(substr(assigned_at, 21), 'Z') AS p UNION ALL SELECT instr(substr(assigned_at, 21), '+') UNION ALL SELECT instr(substr(assigned_at, 21), '-')) WHERE p > 0) - 1) ELSE '' END || '000000', 1, 6) || 'Z' END;

UPDATE order_timeline SET
    at = CASE WHEN at IS NULL OR length(at) < 19 OR strftime('%s', at) IS NULL THEN at
        ELSE strftime('%Y-%m-%dT%H:%M:%S', at) || '.' || substr(CASE WHEN substr(at, 20, 1) = '.' THEN substr(substr(at, 21), 1, (SELECT MIN(p) FROM (SELECT instr(substr(at, 21), 'Z') AS p UNION ALL SELECT instr(substr(at, 21), '+') UNION ALL SELECT instr(substr(at, 21), '-')) WHERE p > 0) - 1) ELSE '' END || '000000', 1, 6) || 'Z' END;

UPDATE offer_redemptions SET
    redeemed_at = CASE WHEN redeemed_at IS NULL OR length(redeemed_at) < 19 OR strftime('%s', redeemed_at) IS NULL THEN redeemed_at
        ELSE strftime('%Y-%m-%dT%H:%M:%S', redeemed_at) || '.' || substr(CASE WHEN substr(redeemed_at, 20, 1) = '.' THEN substr(substr(redeemed_at, 21), 1, (SELECT MIN(p) FROM (SELECT instr(substr(redeemed_at, 21), 'Z') AS p UNION ALL SELECT instr(substr(redeemed_at, 21), '+') UNION ALL SELECT instr(substr(redeemed_at, 21), '-')) WHERE p > 0) - 1) ELSE '' END || '000000', 1, 6) || 'Z' END,
    released_at = CASE WHEN released_at IS NULL OR length(released_at) < 19 OR strftime('%s', released_at) IS NULL THEN released_at
        ELSE strftime('%Y-%m-%dT%H:%M:%S', released_at) || '.' || substr(CASE WHEN substr(released_at, 20, 1) = '.' THEN substr(substr(released_at, 21), 1, (SELECT MIN(p) FROM (SELECT instr(substr(released_at, 21), 'Z') AS p UNION ALL SELECT instr(substr(released_at, 21), '+') UNION ALL SELECT instr(substr(released_at, 21), '-')) WHERE p > 0) - 1) ELSE '' END || '000000', 1, 6) || 'Z' END;

UPDATE outbox SET
    created_at = CASE WHEN created_at IS NULL OR length(created_at) < 19 OR strftime('%s', created_at) IS NULL THEN created_at
        ELSE strftime('%Y-%m-%dT%H:%M:%S', created_at) || '.' || substr(CASE WHEN substr(created_at, 20, 1) = '.' THEN substr(substr(created_at, 21), 1, (SELECT MIN(p) FROM (SELECT instr(substr(created_at, 21), 'Z') AS p UNION ALL SELECT instr(substr(created_at, 21), '+') UNION ALL SELECT instr(substr(created_at, 21), '-')) WHERE p > 0) - 1) ELSE '' END || '000000', 1, 6) || 'Z' END;

UPDATE idempotency_keys SET
    created_at = CASE WHEN created_at IS NULL OR length(created_at) < 19 OR strftime('%s', created_at) IS NULL THEN created_at
        ELSE strftime('%Y-%m-%dT%H:%M:%S', created_at) || '.' || substr(CASE WHEN substr(created_at, 20, 1) = '.' THEN substr(substr(created_at, 21), 1, (SELECT MIN(p) FROM (SELECT instr(substr(created_at, 21), 'Z') AS p UNION ALL SELECT instr(substr(created_at, 21), '+') UNION ALL SELECT instr(substr(created_at, 21), '-')) WHERE p > 0) - 1) ELSE '' END || '000000', 1, 6) || 'Z' END;

UPDATE notifications SET
    read_at = CASE WHEN read_at IS NULL OR length(read_at) < 19 OR strftime('%s', read_at) IS NULL THEN read_at
        ELSE strftime('%Y-%m-%dT%H:%M:%S', read_at) || '.' || substr(CASE WHEN substr(read_at, 20, 1) = '.' THEN substr(substr(read_at, 21), 1, (SELECT MIN(p) FROM (SELECT instr(substr(read_at, 21), 'Z') AS p UNION ALL SELECT instr(substr(read_at, 21), '+') UNION ALL SELECT instr(substr(read_at, 21), '-')) WHERE p > 0) - 1) ELSE '' END || '000000', 1, 6) || 'Z' END,
    created_at = CASE WHEN created_at IS NULL OR length(created_at) < 19 OR strftime('%s', created_at) IS NULL THEN created_at
        ELSE strftime('%Y-%m-%dT%H:%M:%S', created_at) || '.' || substr(CASE WHEN substr(created_at, 20, 1) = '.' THEN substr(substr(created_at, 21), 1, (SELECT MIN(p) FROM (SELECT instr(substr(created_at, 21), 'Z') AS p UNION ALL SELECT instr(substr(created_at, 21), '+') UNION ALL SELECT instr(substr(created_at, 21), '-')) WHERE p > 0) - 1) ELSE '' END || '000000', 1, 6) || 'Z' END;

UPDATE ratings SET
    created_at = CASE WHEN created_at IS NULL OR length(created_at) < 19 OR strftime('%s', created_at) IS NULL THEN created_at
        ELSE strftime('%Y-%m-%dT%H:%M:%S', created_at) || '.' || substr(CASE WHEN substr(created_at, 20, 1) = '.' THEN substr(substr(created_at, 21), 1, (SELECT MIN(p) FROM (SELECT instr(substr(created_at, 21), 'Z') AS p UNION ALL SELECT instr(substr(created_at, 21), '+') UNION ALL SELECT instr(substr(created_at, 21), '-')) WHERE p > 0) - 1) ELSE '' END || '000000', 1, 6) || 'Z' END;

UPDATE payments SET
    expires_at = CASE WHEN expires_at IS NULL OR length(expires_at) < 19 OR strftime('%s', expires_at) IS NULL THEN expires_at
        ELSE strftime('%Y-%m-%dT%H:%M:%S', expires_at) || '.' || substr(CASE WHEN substr(expires_at, 20, 1) = '.' THEN substr(substr(expires_at, 21), 1, (SELECT MIN(p) FROM (SELECT instr(substr(expires_at, 21), 'Z') AS p UNION ALL SELECT instr(substr(expires_at, 21), '+') UNION ALL SELECT instr(substr(expires_at, 21), '-')) WHERE p > 0) - 1) ELSE '' END || '000000', 1, 6) || 'Z' END,
    created_at = CASE WHEN created_at IS NULL OR length(created_at) < 19 OR strftime('%s', created_at) IS NULL THEN created_at
        ELSE strftime('%Y-%m-%dT%H:%M:%S', created_at) || '.' || substr(CASE WHEN substr(created_at, 20, 1) = '.' THEN substr(substr(created_at, 21), 1, (SELECT MIN(p) FROM (SELECT instr(substr(created_at, 21), 'Z') AS p UNION ALL SELECT instr(substr(created_at, 21), '+') UNION ALL SELECT instr(substr(created_at, 21), '-')) WHERE p > 0) - 1) ELSE '' END || '000000', 1, 6) || 'Z' END,
    updated_at = CASE WHEN updated_at IS NULL OR length(updated_at) < 19 OR strftime('%s', updated_at) IS NULL THEN updated_at
        ELSE strftime('%Y-%m-%dT%H:%M:%S', updated_at) || '.' || substr(CASE WHEN substr(updated_at, 20, 1) = '.' THEN substr(substr(updated_at, 21), 1, (SELECT MIN(p) FROM (SELECT instr(substr(updated_at, 21), 'Z') AS p UNION ALL SELECT instr(substr(updated_at, 21), '+') UNION ALL SELECT instr(substr(updated_at, 21), '-')) WHERE p > 0) - 1) ELSE '' END || '000000', 1, 6) || 'Z' END,
    checked_at = CASE WHEN checked_at IS NULL OR length(checked_at) < 19 OR strftime('%s', checked_at) IS NULL THEN checked_at
        ELSE strftime('%Y-%m-%dT%H:%M:%S', checked_at) || '.' || substr(CASE WHEN substr(checked_at, 20, 1) = '.' THEN substr(substr(checked_at, 21), 1, (SELECT MIN(p) FROM (SELECT instr(substr(checked_at, 21), 'Z') AS p UNION ALL SELECT instr(substr(checked_at, 21), '+') UNION ALL SELECT instr(substr(checked_at, 21), '-')) WHERE p > 0) - 1) ELSE '' END || '000000', 1, 6) || 'Z' END;

UPDATE gateway_events SET
    received_at = CASE WHEN received_at IS NULL OR length(received_at) < 19 OR strftime('%s', received_at) IS NULL THEN received_at
        ELSE strftime('%Y-%m-%dT%H:%M:%S', received_at) || '.' || substr(CASE WHEN substr(received_at, 20, 1) = '.' THEN substr(substr(received_at, 21), 1, (SELECT MIN(p) FROM (SELECT instr(substr(received_at, 21), 'Z') AS p UNION ALL SELECT instr(substr(received_at, 21), '+') UNION ALL SELECT instr(substr(received_at, 21), '-')) WHERE p > 0) - 1) ELSE '' END || '000000', 1, 6) || 'Z' END;

UPDATE wallets SET
    updated_at = CASE WHEN updated_at IS NULL OR length(updated_at) < 19 OR strftime('%s', updated_at) IS NULL THEN updated_at
        ELSE strftime('%Y-%m-%dT%H:%M:%S', updated_at) || '.' || substr(CASE WHEN substr(updated_at, 20, 1) = '.' THEN substr(substr(updated_at, 21), 1, (SELECT MIN(p) FROM (SELECT instr(substr(updated_at, 21), 'Z') AS p UNION ALL SELECT instr(substr(updated_at, 21), '+') UNION ALL SELECT instr(substr(updated_at, 21), '-')) WHERE p > 0) - 1) ELSE '' END || '000000', 1, 6) || 'Z' END;

UPDATE ledger_transactions SET
    created_at = CASE WHEN created_at IS NULL OR length(created_at) < 19 OR strftime('%s', created_at) IS NULL THEN created_at
        ELSE strftime('%Y-%m-%dT%H:%M:%S', created_at) || '.' || substr(CASE WHEN substr(created_at, 20, 1) = '.' THEN substr(substr(created_at, 21), 1, (SELECT MIN(p) FROM (SELECT instr(substr(created_at, 21), 'Z') AS p UNION ALL SELECT instr(substr(created_at, 21), '+') UNION ALL SELECT instr(substr(created_at, 21), '-')) WHERE p > 0) - 1) ELSE '' END || '000000', 1, 6) || 'Z' END;

UPDATE ledger_entries SET
    created_at = CASE WHEN created_at IS NULL OR length(created_at) < 19 OR strftime('%s', created_at) IS NULL THEN created_at
        ELSE strftime('%Y-%m-%dT%H:%M:%S', created_at) || '.' || substr(CASE WHEN substr(created_at, 20, 1) = '.' THEN substr(substr(created_at, 21), 1, (SELECT MIN(p) FROM (SELECT instr(substr(created_at, 21), 'Z') AS p UNION ALL SELECT instr(substr(created_at, 21), '+') UNION ALL SELECT instr(substr(created_at, 21), '-')) WHERE p > 0) - 1) ELSE '' END || '000000', 1, 6) || 'Z' END;

UPDATE riders SET
    created_at = CASE WHEN created_at IS NULL OR length(created_at) < 19 OR strftime('%s', created_at) IS NULL THEN created_at
        ELSE strftime('%Y-%m-%dT%H:%M:%S', created_at) || '.' || substr(CASE WHEN substr(created_at, 20, 1) = '.' THEN substr(substr(created_at, 21), 1, (SELECT MIN(p) FROM (SELECT instr(substr(created_at, 21), 'Z') AS p UNION ALL SELECT instr(substr(created_at, 21), '+') UNION ALL SELECT instr(substr(created_at, 21), '-')) WHERE p > 0) - 1) ELSE '' END || '000000', 1, 6) || 'Z' END,
    updated_at = CASE WHEN updated_at IS NULL OR length(updated_at) < 19 OR strftime('%s', updated_at) IS NULL THEN updated_at
        ELSE strftime('%Y-%m-%dT%H:%M:%S', updated_at) || '.' || substr(CASE WHEN substr(updated_at, 20, 1) = '.' THEN substr(substr(updated_at, 21), 1, (SELECT MIN(p) FROM (SELECT instr(substr(updated_at, 21), 'Z') AS p UNION ALL SELECT instr(substr(updated_at, 21), '+') UNION ALL SELECT instr(substr(updated_at, 21), '-')) WHERE p > 0) - 1) ELSE '' END || '000000', 1, 6) || 'Z' END;

UPDATE rider_locations SET
    recorded_at = CASE WHEN recorded_at IS NULL OR length(recorded_at) < 19 OR strftime('%s', recorded_at) IS NULL THEN recorded_at
        ELSE strftime('%Y-%m-%dT%H:%M:%S', recorded_at) || '.' || substr(CASE WHEN substr(recorded_at, 20, 1) = '.' THEN substr(substr(recorded_at, 21), 1, (SELECT MIN(p) FROM (SELECT instr(substr(recorded_at, 21), 'Z') AS p UNION ALL SELECT instr(substr(recorded_at, 21), '+') UNION ALL SELECT instr(substr(recorded_at, 21), '-')) WHERE p > 0) - 1) ELSE '' END || '000000', 1, 6) || 'Z' END;

UPDATE refunds SET
    created_at = CASE WHEN created_at IS NULL OR length(created_at) < 19 OR strftime('%s', created_at) IS NULL THEN created_at
        ELSE strftime('%Y-%m-%dT%H:%M:%S', created_at) || '.' || substr(CASE WHEN substr(created_at, 20, 1) = '.' THEN substr(substr(created_at, 21), 1, (SELECT MIN(p) FROM (SELECT instr(substr(created_at, 21), 'Z') AS p UNION ALL SELECT instr(substr(created_at, 21), '+') UNION ALL SELECT instr(substr(created_at, 21), '-')) WHERE p > 0) - 1) ELSE '' END || '000000', 1, 6) || 'Z' END,
    updated_at = CASE WHEN updated_at IS NULL OR length(updated_at) < 19 OR strftime('%s', updated_at) IS NULL THEN updated_at
        ELSE strftime('%Y-%m-%dT%H:%M:%S', updated_at) || '.' || substr(CASE WHEN substr(updated_at, 20, 1) = '.' THEN substr(substr(updated_at, 21), 1, (SELECT MIN(p) FROM (SELECT instr(substr(updated_at, 21), 'Z') AS p UNION ALL SELECT instr(substr(updated_at, 21), '+') UNION ALL SELECT instr(substr(updated_at, 21), '-')) WHERE p > 0) - 1) ELSE '' END || '000000', 1, 6) || 'Z' END,
    next_attempt_at = CASE WHEN next_attempt_at IS NULL OR length(next_attempt_at) < 19 OR strftime('%s', next_attempt_at) IS NULL THEN next_attempt_at
        ELSE strftime('%Y-%m-%dT%H:%M:%S', next_attempt_at) || '.' || substr(CASE WHEN substr(next_attempt_at, 20, 1) = '.' THEN substr(substr(next_attempt_at, 21), 1, (SELECT MIN(p) FROM (SELECT instr(substr(next_attempt_at, 21), 'Z') AS p UNION ALL SELECT instr(substr(next_attempt_at, 21), '+') UNION ALL SELECT instr(substr(next_attempt_at, 21), '-')) WHERE p > 0) - 1) ELSE '' END || '000000', 1, 6) || 'Z' END;

UPDATE event_dead_letters SET
    created_at = CASE WHEN created_at IS NULL OR length(created_at) < 19 OR strftime('%s', created_at) IS NULL THEN created_at
        ELSE strftime('%Y-%m-%dT%H:%M:%S', created_at) || '.' || substr(CASE WHEN substr(created_at, 20, 1) = '.' THEN substr(substr(created_at, 21), 1, (SELECT MIN(p) FROM (SELECT instr(substr(created_at, 21), 'Z') AS p UNION ALL SELECT instr(substr(created_at, 21), '+') UNION ALL SELECT instr(substr(created_at, 21), '-')) WHERE p > 0) - 1) ELSE '' END || '000000', 1, 6) || 'Z' END,
    failed_at = CASE WHEN failed_at IS NULL OR length(failed_at) < 19 OR strftime('%s', failed_at) IS NULL THEN failed_at
        ELSE strftime('%Y-%m-%dT%H:%M:%S', failed_at) || '.' || substr(CASE WHEN substr(failed_at, 20, 1) = '.' THEN substr(substr(failed_at, 21), 1, (SELECT MIN(p) FROM (SELECT instr(substr(failed_at, 21), 'Z') AS p UNION ALL SELECT instr(substr(failed_at, 21), '+') UNION ALL SELECT instr(substr(failed_at, 21), '-')) WHERE p > 0) - 1) ELSE '' END || '000000', 1, 6) || 'Z' END;
