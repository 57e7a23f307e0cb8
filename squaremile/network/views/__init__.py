"""Pages of network mapping, by part: surveys and the questionnaire (`surveys`), maps (`maps`),
organisers (`organisers`). Views parse and check; the writes are in `surveys/` and `weaving/`."""
