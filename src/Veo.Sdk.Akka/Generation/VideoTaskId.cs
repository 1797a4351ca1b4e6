using System.Buffers;

namespace Veo.Sdk.Akka.Generation;

/// <summary>A task's id: the key of its persistent actor, its journal stream and its generation row.</summary>
internal sealed record VideoTaskId
{
    /// <summary>Ids end up in persistence ids, file names and URLs, so only these characters are allowed.</summary>
    private static readonly SearchValues<char> Allowed =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_");

    /// <summary>The longest id accepted.</summary>
    public const int MaxLength = 100;

    private VideoTaskId(string value) => Value = value;

    public string Value { get; }

    public static VideoTaskId New() => new(Guid.NewGuid().ToString("N"));

    /// <summary>Checks and wraps an id given by a caller.</summary>
    /// <exception cref="ArgumentException">The id is empty, too long or has a character other than letters, digits, '-' and '_'.</exception>
    public static VideoTaskId Parse(string value, string? parameterName = null)
    {
        if (!TryParse(value, out var id, out var error))
        {
            throw new ArgumentException(error, parameterName ?? nameof(value));
        }

        return id;
    }

    public static bool TryParse(string? value, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out VideoTaskId? id, out string? error)
    {
        id = null;
        if (string.IsNullOrEmpty(value))
        {
            error = "A task id must not be empty.";
            return false;
        }

        if (value.Length > MaxLength)
        {
            error = $"A task id is at most {MaxLength} characters long; this one has {value.Length}.";
            return false;
        }

        if (value.AsSpan().ContainsAnyExcept(Allowed))
        {
            error = $"Task id '{value}' may contain only ASCII letters, digits, '-' and '_'.";
            return false;
        }

        error = null;
        id = new VideoTaskId(value);
        return true;
    }

    public override string ToString() => Value;
}

/// <summary>Anything addressed to one task; the shard extractor routes on it.</summary>
internal interface IWithTaskId
{
    VideoTaskId TaskId { get; }
}
