using System.Globalization;
using System.Text.RegularExpressions;

namespace Veo.Sdk.Testing.Internal;

/// <summary>What the <c>[sim:…]</c> markers of a prompt ask for.</summary>
internal enum MarkerOutcome
{
    None,
    Filtered,
    OperationError,
    QuotaExceeded,
    InternalError,
}

/// <summary>
/// The prompt markers (case-insensitive, anywhere in the prompt): <c>[sim:filtered]</c> (or <c>=n</c>: n of the requested
/// videos are withheld, the others delivered, as a partly filtered answer), <c>[sim:error]</c>, <c>[sim:429]</c>,
/// <c>[sim:500]</c>, <c>[sim:poll503]</c>, <c>[sim:latency=3.5]</c>, <c>[sim:brokendownload]</c> (or <c>=n</c>: the first n
/// downloads of each video break off halfway). An answer to the start request (429, 500) wins over an
/// operation error, which wins over filtering; an unknown or malformed marker is a 400 so a typo never passes silently.
/// </summary>
internal readonly partial record struct PromptMarkers(MarkerOutcome Outcome, TimeSpan? Latency, bool FailFirstPoll, int BrokenDownloads = 0, int FilteredSamples = 0)
{
    public const string Known = "[sim:filtered], [sim:filtered=<n>], [sim:error], [sim:429], [sim:500], [sim:poll503], [sim:latency=<seconds>], [sim:brokendownload], [sim:brokendownload=<n>]";

    /// <summary>The most broken downloads one marker may ask for.</summary>
    public const int MaxBrokenDownloads = 100;

    public static PromptMarkers None => default;

    public static GoogleApiError? TryParse(string prompt, out PromptMarkers markers)
    {
        markers = default;
        if (!prompt.Contains("[sim:", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var outcome = MarkerOutcome.None;
        TimeSpan? latency = null;
        var failFirstPoll = false;
        var brokenDownloads = 0;
        var filteredSamples = 0;
        foreach (Match match in MarkerPattern().Matches(prompt))
        {
            var marker = match.Groups["marker"].Value.Trim().ToLowerInvariant();
            switch (marker)
            {
                case "filtered":
                    outcome = Max(outcome, MarkerOutcome.Filtered);
                    break;
                case "error":
                    outcome = Max(outcome, MarkerOutcome.OperationError);
                    break;
                case "429":
                    outcome = Max(outcome, MarkerOutcome.QuotaExceeded);
                    break;
                case "500":
                    outcome = Max(outcome, MarkerOutcome.InternalError);
                    break;
                case "poll503":
                    failFirstPoll = true;
                    break;
                case "brokendownload":
                    brokenDownloads = 1;
                    break;
                default:
                    const string latencyPrefix = "latency=";
                    const string brokenPrefix = "brokendownload=";
                    const string filteredPrefix = "filtered=";
                    if (marker.StartsWith(filteredPrefix, StringComparison.Ordinal)
                        && int.TryParse(marker.AsSpan(filteredPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var withheld)
                        && withheld is >= 1 and <= 4)
                    {
                        filteredSamples = withheld;
                        break;
                    }

                    if (marker.StartsWith(brokenPrefix, StringComparison.Ordinal)
                        && int.TryParse(marker.AsSpan(brokenPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var count)
                        && count <= MaxBrokenDownloads)
                    {
                        brokenDownloads = count;
                        break;
                    }

                    if (marker.StartsWith(latencyPrefix, StringComparison.Ordinal)
                        && double.TryParse(marker.AsSpan(latencyPrefix.Length), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds)
                        && seconds <= TimeSpan.MaxValue.TotalSeconds / 2)
                    {
                        latency = TimeSpan.FromSeconds(seconds);
                        break;
                    }

                    return GoogleApiError.InvalidArgument("instances[0].prompt", $"Unknown Veo simulator marker '{match.Value}' in the prompt; known markers: {Known}.");
            }
        }

        markers = new PromptMarkers(outcome, latency, failFirstPoll, brokenDownloads, filteredSamples);
        return null;
    }

    // 429 and 500 rank above the operation outcomes because they answer the start request itself.
    private static MarkerOutcome Max(MarkerOutcome a, MarkerOutcome b) => (MarkerOutcome)Math.Max((int)a, (int)b);

    [GeneratedRegex(@"\[sim:(?<marker>[^\]]*)\]", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex MarkerPattern();
}
