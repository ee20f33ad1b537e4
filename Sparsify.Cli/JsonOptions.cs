using System.Text.Json;

namespace Sparsify.Cli;

/// <summary>The JSON style of the files the commands write: indented, camelCase, as in docs/results.</summary>
internal static class JsonOptions
{
    /// <summary>Indented camelCase.</summary>
    public static JsonSerializerOptions Indented { get; } = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
}
