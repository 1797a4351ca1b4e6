#!/bin/bash
# The service's first submits after start-up: starts the built service (Release) on a fresh data folder with the embedded
# simulator, waits until /health/ready answers 200, then times three submits one after another.
# Build first: dotnet build -c Release samples/ReferenceService
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DATA=$(mktemp -d)
PORT=${PORT:-5391}
ASPNETCORE_URLS=http://127.0.0.1:$PORT Persistence__ConnectionString="Data Source=$DATA/veo.db" Storage__VideosPath=$DATA/videos \
  dotnet "$ROOT/samples/ReferenceService/bin/Release/net10.0/ReferenceService.dll" > "$DATA/service.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true; wait $PID 2>/dev/null || true; rm -rf "$DATA"' EXIT
until curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/health/ready" | grep -q 200; do sleep 0.1; done
for i in 1 2 3; do
  curl -s -o /dev/null -w "submit $i: %{http_code} %{time_total}s\n" -X POST "http://127.0.0.1:$PORT/api/v1/settings/ai/veo/generate-video-async" \
    -H 'Content-Type: application/json' \
    -d "{\"prompt\": \"A red fox $i\", \"aspect_ratio\": \"VIDEO_ASPECT_RATIO_PORTRAIT\", \"video_model_key\": \"veo_3_1_t2v_portrait\", \"ad_id\": $i}"
done
