using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sparsify.Hardware.Zc706.Config;

/// <summary>
/// Reads and writes <see cref="Zc706Config"/> as JSON (camelCase names, enums as text). A property
/// left out keeps its default; an unknown property is an error, so a misspelt setting is never ignored.
/// </summary>
public static class Zc706ConfigJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>The configuration as JSON text.</summary>
    public static string Serialize(Zc706Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return JsonSerializer.Serialize(config, Options);
    }

    /// <summary>Parses and validates a configuration.</summary>
    /// <exception cref="ArgumentException">Malformed JSON, an unknown property, or a parameter out of range.</exception>
    public static Zc706Config Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        Zc706Config? config;
        try
        {
            config = JsonSerializer.Deserialize<Zc706Config>(json, Options);
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"ZC706 configuration is not valid JSON for this model: {e.Message}", nameof(json), e);
        }

        if (config is null)
        {
            throw new ArgumentException("ZC706 configuration is empty (JSON null)", nameof(json));
        }

        config.Validate();
        return config;
    }

    /// <summary>Loads and validates a configuration file.</summary>
    public static Zc706Config Load(string path) => Parse(File.ReadAllText(path));

    /// <summary>Writes a configuration file.</summary>
    public static void Save(Zc706Config config, string path) => File.WriteAllText(path, Serialize(config));
}
