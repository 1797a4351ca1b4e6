using ReferenceService.Callers;
using ReferenceService.Endpoints;
using ReferenceService.Extensions;
using ReferenceService.Http;
using ReferenceService.Webhooks;
using Veo.Sdk.Akka.Hosting;

var builder = WebApplication.CreateBuilder(args);

// Veo: the embedded simulator by default, or the Gemini API / Vertex AI (Veo:Backend).
await builder.AddVeoBackendAsync();

// The engine: single-node Akka cluster, SQLite journal under data/, one persistent actor per task.
builder.Services.AddVeoGenerationEngine(builder.Configuration);

// The HTTP surface: snake_case JSON, problem details, validation, rate limit, batches, health, docs, CORS, telemetry.
builder.Services.AddCallers(builder.Configuration);
builder.Services.AddGenerationApi(builder.Configuration);
builder.Services.AddWebhooks(builder.Configuration);
builder.Services.AddApiDocumentation();
builder.Services.AddFrontendCors(builder.Configuration);
builder.Services.AddServiceTelemetry(builder.Configuration);

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseCors();
app.UseDeprecationHeaders();
app.UseWebSockets();
app.UseDefaultFiles();
app.UseStaticFiles();
app.UseCallers();

app.MapGenerationEndpoints();
app.MapTaskEndpoints();
app.MapTaskStreamEndpoints();
app.MapVideoEndpoints();
app.MapHealthEndpoints();
app.MapApiDocumentation();

await app.RunAsync();
