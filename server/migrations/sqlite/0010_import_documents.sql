-- An import's stored document becomes an object {"params": <the kind's typed parameters>, "summary": ...}
-- instead of an untyped [params, summary] pair. HR's parameter was a bare flag; Graph's was null.
UPDATE imports SET summary_json = json_object(
    'params', CASE kind
        WHEN 'hr' THEN json_object('full', json(summary_json -> '$[0]'))
        WHEN 'graph' THEN json_object()
        ELSE json(summary_json -> '$[0]')
    END,
    'summary', json(summary_json -> '$[1]'))
WHERE json_type(summary_json) = 'array';
