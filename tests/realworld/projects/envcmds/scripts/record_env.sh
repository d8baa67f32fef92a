#!/bin/sh
# One variable per line, each value between brackets, to see spaces and quotes exactly as the build saw them.
for name in REPORT_TITLE JAVA_TOOL_OPTIONS GREETING REPORT_PATH TRAILING_SPACE PAIRS; do
    eval "value=\${$name}"
    printf '%s=[%s]\n' "$name" "$value"
done
