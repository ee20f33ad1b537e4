using System.Globalization;
using Sparsify.Core.Execution;
using Sparsify.Core.Sparsity.DataAware;

namespace Sparsify.Core.Compilation;

/// <summary>How a compile used its calibration data, and what the result kept on the held-out part.</summary>
/// <param name="Method">How the weights were chosen: <c>data-aware</c>, or <c>magnitude</c> for a scheme without a data-aware form.</param>
/// <param name="CalibrationInputs">Inputs pruned on.</param>
/// <param name="ValidationInputs">Inputs held out and measured on (never pruned on).</param>
/// <param name="Fidelity">The compiled model's outputs against the dense model's on the held-out inputs; null without any.</param>
/// <param name="Layers">Each pruned layer's measured error.</param>
public sealed record CalibrationSummary(string Method, int CalibrationInputs, int ValidationInputs, OutputFidelity? Fidelity, IReadOnlyList<DataAwareLayerResult> Layers)
{
    /// <summary>What a fidelity target chose; null without one.</summary>
    public FidelityPlan? Plan { get; init; }

    /// <summary>One line for the build log and the report.</summary>
    public string Line => Fidelity is { } f
        ? string.Create(CultureInfo.InvariantCulture, $"{Method} pruning on {CalibrationInputs} calibration inputs; held-out fidelity on {ValidationInputs} inputs: mean cosine {f.MeanCosine:0.0000}, worst {f.MinCosine:0.0000}, self-retrieval {f.SelfRetrieval:P1}")
        : string.Create(CultureInfo.InvariantCulture, $"{Method} pruning on {CalibrationInputs} calibration inputs; no held-out inputs, fidelity not measured (CalibrationValidationFraction is 0)");
}
