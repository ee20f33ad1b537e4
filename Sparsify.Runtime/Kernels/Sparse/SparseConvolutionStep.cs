namespace Sparsify.Runtime.Kernels;

/// <summary>
/// One sparse convolution of a compiled model with its wiring bound at construction: whether it reads
/// its input from a tensor or from the layout the step before wrote, whether it writes a tensor or the
/// next convolution's input layout, its ReLU, the companion that runs in its fork, and its threads.
/// The wiring is checked and every buffer it needs allocated here, once; a call passes only the tensors.
/// </summary>
/// <remarks>
/// Steps of one model are bound in the order they run: a step that reads a fed layout needs the step
/// that feeds it bound first, and each layout has one feeder. Like its driver, a step must not run
/// concurrently with itself or with the steps it is wired to.
/// </remarks>
public sealed class SparseConvolutionStep
{
    private readonly SparseConvolutionDriver _driver;
    private readonly SparseConvolutionDriver? _feeds;
    private readonly SparseConvolutionDriver? _companion;
    private readonly bool _inputFed;
    private readonly Activation _activation;
    private readonly Activation _companionActivation;
    private readonly int _workers;

    /// <summary>Binds a convolution's wiring.</summary>
    /// <param name="driver">The convolution this step runs.</param>
    /// <param name="threads">Worker threads (at least 1).</param>
    /// <param name="activation">The function applied last, fused into the epilogue (true: ReLU, false: none).</param>
    /// <param name="inputFed">Whether the input is the layout a step bound before this one writes (see <paramref name="feeds"/>) instead of a tensor.</param>
    /// <param name="feeds">The convolution whose input layout this step writes instead of a tensor, or null.</param>
    /// <param name="companion">A convolution reading this driver's input layout that runs in the same fork (<see cref="SparseConvolutionDriver.CanRunWith"/>), or null.</param>
    /// <param name="companionActivation">The companion's (true: ReLU, false: none).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threads"/> is less than 1.</exception>
    /// <exception cref="ArgumentException">The input is fed but no step feeds it, this driver cannot feed <paramref name="feeds"/> or another step already does, or the companion does not read this driver's layout.</exception>
    public SparseConvolutionStep(SparseConvolutionDriver driver, int threads, Activation activation, bool inputFed = false, SparseConvolutionDriver? feeds = null, SparseConvolutionDriver? companion = null, Activation companionActivation = default)
    {
        ArgumentNullException.ThrowIfNull(driver);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        if (inputFed && !driver.HasFeeder)
        {
            throw new ArgumentException($"no step writes the input layout of {driver.LayoutGeometry}: bind the step that feeds it first", nameof(inputFed));
        }

        if (feeds is not null)
        {
            if (!driver.CanFeed(feeds))
            {
                throw new ArgumentException($"this convolution cannot write the input layout of {feeds.LayoutGeometry}", nameof(feeds));
            }

            feeds.BindFeeder(driver);
        }

        if (companion is not null && !driver.CanRunWith(companion))
        {
            throw new ArgumentException($"the companion does not read the input layout of {driver.LayoutGeometry}", nameof(companion));
        }

        _driver = driver;
        _feeds = feeds;
        _companion = companion;
        _inputFed = inputFed;
        _activation = activation;
        _companionActivation = companionActivation;
        _workers = driver.Workers(threads);
        driver.Prepare(_workers, feeds);
        companion?.Prepare(_workers, next: null);
    }

    /// <summary>Whether the input is the layout the step before wrote.</summary>
    public bool InputFed => _inputFed;

    /// <summary>The convolution whose input layout this step writes, or null when it writes a tensor.</summary>
    public SparseConvolutionDriver? Feeds => _feeds;

    /// <summary>The convolution that runs in this step's fork, or null.</summary>
    public SparseConvolutionDriver? Companion => _companion;

    /// <summary>
    /// Convolves one image: output = sums + bias (+ residual), then the ReLU if bound; the companion's
    /// results (its sums + its bias, then its ReLU) go to <paramref name="companionOutput"/>.
    /// </summary>
    /// <param name="input">InChannels × InHeight × InWidth floats; empty when the input is fed.</param>
    /// <param name="residual">Empty, or a tensor of the output's shape added before the ReLU.</param>
    /// <param name="output">OutChannels × OutHeight × OutWidth floats; empty when this step feeds the next.</param>
    /// <param name="companionOutput">The companion's output; empty without one.</param>
    /// <exception cref="ArgumentException">A span does not fit the wiring, is too short, or overlaps one it must not.</exception>
    /// <exception cref="InvalidOperationException">The input is fed and the feeding step has not run since this one last did.</exception>
    public void Run(ReadOnlySpan<float> input = default, ReadOnlySpan<float> residual = default, Span<float> output = default, Span<float> companionOutput = default)
    {
        if (_inputFed != input.IsEmpty)
        {
            throw new ArgumentException(_inputFed ? "this step reads the layout the step before wrote: pass no input" : "this step reads a tensor: pass its input", nameof(input));
        }

        if (_feeds is not null && !output.IsEmpty)
        {
            throw new ArgumentException("this step writes the next convolution's input layout: pass no output", nameof(output));
        }

        if (_companion is null != companionOutput.IsEmpty)
        {
            throw new ArgumentException(_companion is null ? "this step has no companion: pass no companion output" : "pass the companion's output", nameof(companionOutput));
        }

        if (_companion is not null)
        {
            _companion.CheckCompanionOutput(input, residual, output, companionOutput);
        }

        _driver.Execute(input, _inputFed, residual, _activation, output, _feeds, _workers, new SparseConvolutionDriver.CompanionCall(_companion, _companionActivation, companionOutput));
    }
}
