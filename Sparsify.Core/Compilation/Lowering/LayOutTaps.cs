using Sparsify.Runtime.Kernels;
using Sparsify.Runtime.Manifests;

namespace Sparsify.Core.Compilation.Lowering;

/// <summary>
/// Lowering pass 5: where each weight column of an unrolled convolution reads its input layout (its host's,
/// for a companion), from the runtime's own <see cref="ConvInputLayout"/>. Generated code embeds these
/// offsets as constant displacements, so no second copy of the layout's formula exists.
/// </summary>
internal static class LayOutTaps
{
    public static IReadOnlyList<TapOffset> Of(StepDraft step)
    {
        var columns = step.Layer.TapColumns();
        if (columns.Length == 0)
        {
            return [];
        }

        var geometry = ConvParameters.GeometryOf(step.Layer);
        var layout = ConvInputLayout.For(ConvParameters.GeometryOf((step.RunsWith ?? step).Layer));
        return [.. columns.Select(c => new TapOffset(c, layout.ColumnOffset(geometry, c)))];
    }
}
