using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Veo.Sdk.Internal;

/// <summary>
/// The checks data annotations cannot express. Messages name the configuration key and its environment-variable form,
/// because that is where a missing value has to be fixed.
/// </summary>
internal sealed class VeoClientOptionsValidator(string? sectionPath) : IValidateOptions<VeoClientOptions>
{
    public ValidateOptionsResult Validate(string? name, VeoClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = GetFailures(options, sectionPath, includeDataAnnotations: false);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Every problem with <paramref name="options"/>, or none.</summary>
    public static List<string> GetFailures(VeoClientOptions options, string? sectionPath, bool includeDataAnnotations)
    {
        var failures = new List<string>();
        if (includeDataAnnotations)
        {
            var results = new List<ValidationResult>();
            Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
            failures.AddRange(results.Select(r => $"{Key(sectionPath, r.MemberNames.FirstOrDefault() ?? "?")}: {r.ErrorMessage}"));
        }

        if (!Enum.IsDefined(options.Backend))
        {
            failures.Add($"{Key(sectionPath, nameof(VeoClientOptions.Backend))} = {options.Backend} is not a backend; use GeminiApi or VertexAi ({EnvVar(sectionPath, nameof(VeoClientOptions.Backend))}).");
        }

        if (options.Backend == VeoBackend.GeminiApi && string.IsNullOrWhiteSpace(options.ApiKey))
        {
            failures.Add($"{Key(sectionPath, nameof(VeoClientOptions.ApiKey))} is required for the Gemini API backend ({EnvVar(sectionPath, nameof(VeoClientOptions.ApiKey))}); set it in configuration or in code.");
        }

        if (options.Backend == VeoBackend.VertexAi)
        {
            if (string.IsNullOrWhiteSpace(options.ProjectId))
            {
                failures.Add($"{Key(sectionPath, nameof(VeoClientOptions.ProjectId))} is required for the Vertex AI backend when the credentials name no project ({EnvVar(sectionPath, nameof(VeoClientOptions.ProjectId))}, or GOOGLE_CLOUD_PROJECT); set it in configuration or in code.");
            }

            if (options.CredentialsFile is { Length: > 0 } file && !File.Exists(file))
            {
                failures.Add($"{Key(sectionPath, nameof(VeoClientOptions.CredentialsFile))} names a file that does not exist: {file} ({EnvVar(sectionPath, nameof(VeoClientOptions.CredentialsFile))}).");
            }

            if (string.IsNullOrWhiteSpace(options.Location) || !options.Location.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            {
                failures.Add($"{Key(sectionPath, nameof(VeoClientOptions.Location))} = '{options.Location}' is not a Vertex AI location such as 'us-central1' or 'global' ({EnvVar(sectionPath, nameof(VeoClientOptions.Location))}).");
            }
        }

        if (options.BaseUrl is { } baseUrl
            && (!baseUrl.IsAbsoluteUri || (baseUrl.Scheme != Uri.UriSchemeHttp && baseUrl.Scheme != Uri.UriSchemeHttps)))
        {
            failures.Add($"{Key(sectionPath, nameof(VeoClientOptions.BaseUrl))} = '{baseUrl.OriginalString}' must be an absolute http or https URL such as 'http://127.0.0.1:5999/' ({EnvVar(sectionPath, nameof(VeoClientOptions.BaseUrl))}).");
        }
        else if (options.BaseUrl is { } withQuery && (withQuery.Query.Length > 0 || withQuery.Fragment.Length > 0))
        {
            failures.Add($"{Key(sectionPath, nameof(VeoClientOptions.BaseUrl))} must not have a query or fragment ({EnvVar(sectionPath, nameof(VeoClientOptions.BaseUrl))}).");
        }

        return failures;
    }

    private static string Key(string? sectionPath, string property)
        => string.IsNullOrEmpty(sectionPath) ? $"VeoClientOptions.{property}" : $"{sectionPath}:{property}";

    private static string EnvVar(string? sectionPath, string property)
        => string.IsNullOrEmpty(sectionPath)
            ? $"VeoClientOptions.{property} in code"
            : $"environment variable {sectionPath.Replace(":", "__", StringComparison.Ordinal)}__{property}";
}
