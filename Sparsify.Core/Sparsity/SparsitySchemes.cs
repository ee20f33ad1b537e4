namespace Sparsify.Core.Sparsity;

/// <summary>The schemes by name: <c>unstructured</c>, <c>balanced</c>, <c>locality</c>, <c>nm</c>, <c>filter</c>, <c>keep</c>.</summary>
public static class SparsitySchemes
{
    /// <summary>Every scheme, in the order reports and help texts list them.</summary>
    public static IReadOnlyList<ISparsityScheme> All { get; } =
    [
        new UnstructuredScheme(),
        new BalancedScheme(),
        new LocalityScheme(),
        new NmScheme(),
        new FilterScheme(),
        new KeepScheme(),
    ];

    /// <summary>The schemes' names.</summary>
    public static IReadOnlyList<string> Names { get; } = All.Select(s => s.Name).ToArray();

    /// <summary>
    /// The scheme called <paramref name="name"/> (case-insensitive); an unknown name throws
    /// <see cref="ArgumentException"/> listing the valid ones.
    /// </summary>
    public static ISparsityScheme Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return TryGet(name, out var scheme)
            ? scheme
            : throw new ArgumentException($"unknown sparsity scheme '{name}'; valid schemes: {string.Join(", ", Names)}", nameof(name));
    }

    /// <summary>Looks a scheme up by name, case-insensitive.</summary>
    public static bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ISparsityScheme? scheme)
    {
        scheme = All.FirstOrDefault(s => string.Equals(s.Name, name?.Trim(), StringComparison.OrdinalIgnoreCase));
        return scheme is not null;
    }
}
