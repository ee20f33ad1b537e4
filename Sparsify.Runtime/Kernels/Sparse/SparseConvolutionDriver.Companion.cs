namespace Sparsify.Runtime.Kernels;

/// <summary>
/// Two convolutions of the same image in one fork: a companion built on this driver's input layout
/// (<see cref="SparseConvolutionDriver(in ConvGeometry, in ConvGeometry, int, ConvTileBody, ReadOnlySpan{float})"/>)
/// reads the layout this run fills, so the image is copied once, and its work items follow this driver's,
/// filling the end of the fork where one thread would otherwise wait for the other. A ResNet block that
/// halves the resolution runs its 1×1 projection shortcut this way beside its 3×3 convolution; a
/// <see cref="SparseConvolutionStep"/> binds the pair.
/// </summary>
public sealed unsafe partial class SparseConvolutionDriver
{
    // The companion whose items the current run's workers claim after this driver's (null: none), and its call.
    private SparseConvolutionDriver? _companion;
    private Call _companionCall;

    /// <summary>The convolution whose input layout this driver reads: its own, unless it was built on another's.</summary>
    public ConvGeometry LayoutGeometry => _layoutGeometry;

    /// <summary>Whether <paramref name="companion"/> reads this driver's input layout and can therefore run in the same fork.</summary>
    public bool CanRunWith(SparseConvolutionDriver companion)
    {
        ArgumentNullException.ThrowIfNull(companion);
        return !ReferenceEquals(companion, this) && companion._layoutGeometry == _layoutGeometry;
    }

    /// <summary>Throws unless this companion's output holds its results apart from this call's other spans.</summary>
    internal void CheckCompanionOutput(ReadOnlySpan<float> input, ReadOnlySpan<float> residual, Span<float> output, Span<float> companionOutput)
    {
        CheckOutput(default, companionOutput);
        if (companionOutput.Overlaps(input) || companionOutput.Overlaps(residual) || companionOutput.Overlaps(output))
        {
            throw new ArgumentException("the companion's output overlaps the input, the residual or this convolution's output", nameof(companionOutput));
        }
    }

    /// <summary>The companion of one run and where its results go.</summary>
    internal readonly ref struct CompanionCall(SparseConvolutionDriver? driver, Activation activation, Span<float> output)
    {
        public SparseConvolutionDriver? Driver { get; } = driver;

        public Activation Activation { get; } = activation;

        public Span<float> Output { get; } = output;
    }
}
