namespace Sparsify.Runtime.Kernels;

/// <summary>
/// Two convolutions of the same image in one fork: a companion built on this driver's input layout
/// (<see cref="SparseConvolutionDriver(in ConvGeometry, in ConvGeometry, int, ConvTileBody, ReadOnlySpan{float})"/>)
/// reads the layout this run fills, so the image is copied once, and its work items follow this driver's,
/// filling the end of the fork where one thread would otherwise wait for the other. A ResNet block that
/// halves the resolution runs its 1×1 projection shortcut this way beside its 3×3 convolution.
/// </summary>
public sealed unsafe partial class SparseConvolutionDriver
{
    // The companion whose items the current run's workers claim after this driver's (null: none).
    private SparseConvolutionDriver? _companion;

    /// <summary>The convolution whose input layout this driver reads: its own, unless it was built on another's.</summary>
    public ConvGeometry LayoutGeometry => _layoutGeometry;

    /// <summary>Whether <paramref name="companion"/> reads this driver's input layout and can therefore run in the same fork.</summary>
    public bool CanRunWith(SparseConvolutionDriver companion)
    {
        ArgumentNullException.ThrowIfNull(companion);
        return !ReferenceEquals(companion, this) && companion._layoutGeometry == _layoutGeometry;
    }

    /// <summary>
    /// Convolves one image as <see cref="Run(ReadOnlySpan{float}, ReadOnlySpan{float}, bool, Span{float}, int)"/>
    /// does and, in the same fork from the same layout, <paramref name="companion"/>: companionOutput =
    /// its sums + its bias (then ReLU when <paramref name="companionRelu"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The companion does not read this layout (see <see cref="CanRunWith"/>), a span is too short, or the outputs overlap each other, the input or the residual.</exception>
    public void Run(ReadOnlySpan<float> input, ReadOnlySpan<float> residual, bool relu, Span<float> output, SparseConvolutionDriver companion, bool companionRelu, Span<float> companionOutput, int threads)
    {
        CheckCompanion(companion, input, residual, companionOutput);
        if (companionOutput.Overlaps(output))
        {
            throw new ArgumentException("the companion's output overlaps this convolution's output", nameof(companionOutput));
        }

        Execute(input, fed: false, residual, relu, output, next: null, threads, new CompanionCall(companion, companionRelu, companionOutput));
    }

    /// <summary>
    /// Convolves one image into <paramref name="next"/>'s input layout as
    /// <see cref="RunInto(ReadOnlySpan{float}, ReadOnlySpan{float}, bool, SparseConvolutionDriver, int)"/> does
    /// and, in the same fork from the same layout, <paramref name="companion"/> into
    /// <paramref name="companionOutput"/> (its sums + its bias, then ReLU when <paramref name="companionRelu"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The companion does not read this layout, this driver cannot feed <paramref name="next"/>, a span is too short, or the companion's output overlaps the input or the residual.</exception>
    public void RunInto(ReadOnlySpan<float> input, ReadOnlySpan<float> residual, bool relu, SparseConvolutionDriver next, SparseConvolutionDriver companion, bool companionRelu, Span<float> companionOutput, int threads)
    {
        CheckCompanion(companion, input, residual, companionOutput);
        Execute(input, fed: false, residual, relu, default, next, threads, new CompanionCall(companion, companionRelu, companionOutput));
    }

    /// <summary>
    /// As <see cref="RunOnFedLayout(ReadOnlySpan{float}, bool, Span{float}, int)"/>, and in the same fork
    /// <paramref name="companion"/> from the same (fed) layout into <paramref name="companionOutput"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">No driver has fed the layout since this driver last ran.</exception>
    /// <exception cref="ArgumentException">The companion does not read this layout, a span is too short, or the outputs overlap each other or the residual.</exception>
    public void RunOnFedLayout(ReadOnlySpan<float> residual, bool relu, Span<float> output, SparseConvolutionDriver companion, bool companionRelu, Span<float> companionOutput, int threads)
    {
        CheckCompanion(companion, default, residual, companionOutput);
        if (companionOutput.Overlaps(output))
        {
            throw new ArgumentException("the companion's output overlaps this convolution's output", nameof(companionOutput));
        }

        Execute(default, fed: true, residual, relu, output, next: null, threads, new CompanionCall(companion, companionRelu, companionOutput));
    }

    /// <summary>
    /// As <see cref="RunOnFedLayoutInto(ReadOnlySpan{float}, bool, SparseConvolutionDriver, int)"/>, and in the same fork
    /// <paramref name="companion"/> from the same (fed) layout into <paramref name="companionOutput"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">No driver has fed the layout since this driver last ran.</exception>
    /// <exception cref="ArgumentException">The companion does not read this layout, this driver cannot feed <paramref name="next"/>, a span is too short, or the companion's output overlaps the residual.</exception>
    public void RunOnFedLayoutInto(ReadOnlySpan<float> residual, bool relu, SparseConvolutionDriver next, SparseConvolutionDriver companion, bool companionRelu, Span<float> companionOutput, int threads)
    {
        CheckCompanion(companion, default, residual, companionOutput);
        Execute(default, fed: true, residual, relu, default, next, threads, new CompanionCall(companion, companionRelu, companionOutput));
    }

    private void CheckCompanion(SparseConvolutionDriver companion, ReadOnlySpan<float> input, ReadOnlySpan<float> residual, Span<float> companionOutput)
    {
        if (!CanRunWith(companion))
        {
            throw new ArgumentException($"the convolution {companion._geometry} does not read the input layout of {_geometry}", nameof(companion));
        }

        companion.CheckOutput(default, companionOutput);
        if (companionOutput.Overlaps(input) || companionOutput.Overlaps(residual))
        {
            throw new ArgumentException("the companion's output overlaps the input or the residual", nameof(companionOutput));
        }
    }

    /// <summary>The companion of one run and where its results go.</summary>
    private readonly ref struct CompanionCall(SparseConvolutionDriver? driver, bool relu, Span<float> output)
    {
        public SparseConvolutionDriver? Driver { get; } = driver;

        public bool Relu { get; } = relu;

        public Span<float> Output { get; } = output;
    }
}
