-- An import's stored document becomes an object {"params": <the kind's typed parameters>, "summary": ...}
-- instead of an untyped [params, summary] pair. HR's parameter was a bare flag; Graph's was null.
UPDATE imports SET summary_json = json_build_object(
    'params', CASE kind
        WHEN 'hr' THEN json_build_object('full', CAST(summary_json AS json) -> 0)
        WHEN 'graph' THEN json_build_object()
        ELSE CAST(summary_json AS json) -> 0
    END,
    'summary', CAST(summary_json AS json) -> 1)::text
WHERE json_typeof(CAST(summary_json AS json)) = 'array';
