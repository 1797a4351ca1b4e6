using System.Globalization;

namespace Veo.Sdk.Benchmarks.Infrastructure;

/// <summary>A small parser for "--name value" and "--flag" arguments; unknown names are errors, not silently ignored.</summary>
public sealed class Arguments
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    private Arguments() { }

    /// <param name="args">The arguments after the command word.</param>
    /// <param name="flags">Names that take no value.</param>
    public static Arguments Parse(IEnumerable<string> args, params string[] flags)
    {
        var parsed = new Arguments();
        var flagSet = new HashSet<string>(flags, StringComparer.Ordinal);
        using var e = args.GetEnumerator();
        while (e.MoveNext())
        {
            var name = e.Current;
            if (!name.StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"Unexpected argument '{name}'; options start with --.");
            }

            if (flagSet.Contains(name))
            {
                parsed._flags.Add(name);
                continue;
            }

            if (!e.MoveNext())
            {
                throw new ArgumentException($"Option {name} needs a value.");
            }

            if (!parsed._values.TryGetValue(name, out var list))
            {
                parsed._values[name] = list = [];
            }

            list.Add(e.Current);
        }

        return parsed;
    }

    public bool Flag(string name)
    {
        _read.Add(name);
        return _flags.Contains(name);
    }

    public string? String(string name)
    {
        _read.Add(name);
        return _values.TryGetValue(name, out var list) ? list[^1] : null;
    }

    /// <summary>Every value given for <paramref name="name"/>, commas splitting further ("--mode engine,full").</summary>
    public IReadOnlyList<string> List(string name)
    {
        _read.Add(name);
        return _values.TryGetValue(name, out var list)
            ? list.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList()
            : [];
    }

    public int? Int(string name) => String(name) is { } text
        ? int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : throw new ArgumentException($"Option {name} needs a whole number, not '{text}'.")
        : null;

    public double? Double(string name) => String(name) is { } text
        ? double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : throw new ArgumentException($"Option {name} needs a number, not '{text}'.")
        : null;

    /// <summary>Fails on options that were given but that the command never asked for (typos).</summary>
    public void RejectUnknown()
    {
        var unknown = _values.Keys.Concat(_flags).Where(n => !_read.Contains(n)).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"Unknown option(s): {string.Join(", ", unknown)}.");
        }
    }
}
