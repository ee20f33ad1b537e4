using System.Text.Json;
using System.Text.Json.Serialization;
using Sparsify.Hardware.Zc706.Exploration;
using Sparsify.Hardware.Zc706.Simulation;

namespace Sparsify.Hardware.Zc706.Report;

/// <summary>A simulation (and optionally explorations) as JSON: configuration, resources, totals and every layer; never the output tensors.</summary>
public static class SimulationJson
{
    internal static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>The JSON text.</summary>
    public static string Serialize(SimulationResult result, IReadOnlyList<ExplorationResult>? explorations = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        var document = new
        {
            model = result.Model,
            config = result.Config,
            resources = result.Resources,
            total = result.Total,
            convolutions = result.Convolutions,
            layers = result.Layers,
            explorations = explorations?.Select(x => new
            {
                scheme = x.Scheme,
                pointsWithinBudget = x.Points.Count,
                overBudget = x.OverBudget,
                overClocked = x.OverClocked,
                doesNotFit = x.DoesNotFit,
                top = x.Points.Take(5).Select(p => new { config = p.Config, resources = p.Resources, total = p.Total, convolutions = p.Convolutions, stallCycles = p.StallCycles, ddrBytes = p.DdrBytes }),
            }),
        };
        return JsonSerializer.Serialize(document, Options);
    }
}
