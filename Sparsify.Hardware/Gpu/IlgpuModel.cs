using System.Reflection;
using ILGPU;
using ILGPU.Runtime;
using Sparsify.Runtime.Blob;
using Sparsify.Runtime.Manifests;

namespace Sparsify.Hardware.Gpu;

/// <summary>
/// A compiled model running on an ILGPU accelerator straight from its compressed formats: the
/// locality scheme's group format, CSR, dense arrays, and unrolled layers gathered from the manifest.
/// Every device buffer (weights, activations) is allocated and every kernel compiled in
/// <see cref="Create"/>; <see cref="Run(ReadOnlySpan{float}, Span{float})"/> only copies the input in, launches and copies the output out.
/// </summary>
/// <example>
/// <code>
/// using var device = AcceleratorFactory.CreateFromEnvironment();
/// using var model = IlgpuModel.FromAssembly(device.Accelerator, typeof(LeNet5).Assembly, LeNet5.ResourceBaseName);
/// model.Run(image, scores);
/// </code>
/// </example>
public sealed class IlgpuModel : IDisposable
{
    private readonly DeviceMemory _memory;
    private readonly Action[] _steps;
    private readonly ArrayView<float> _input;
    private readonly ArrayView<float> _output;
    private readonly Lock _gate = new();
    private bool _disposed;

    private IlgpuModel(Accelerator accelerator, Manifest manifest, DeviceMemory memory, GpuModelBuilder builder)
    {
        Accelerator = accelerator;
        Manifest = manifest;
        _memory = memory;
        _steps = [.. builder.Steps];
        Plan = [.. builder.Plan];
        _input = builder.Values[manifest.Inputs[0].Name];
        _output = builder.Values[manifest.Outputs[0].Name];
        InputLength = Length(manifest.Inputs[0].Shape);
        OutputLength = Length(manifest.Outputs[0].Shape);
    }

    /// <summary>The accelerator the model runs on.</summary>
    public Accelerator Accelerator { get; }

    /// <summary>The manifest the model was built from.</summary>
    public Manifest Manifest { get; }

    /// <summary>Values of the input (its manifest shape, batch included).</summary>
    public int InputLength { get; }

    /// <summary>Values of the output.</summary>
    public int OutputLength { get; }

    /// <summary>Bytes of device memory held: weights in their compressed arrays, index tables and activations.</summary>
    public long DeviceBytes => _memory.Bytes;

    /// <summary>One line per layer or fused chain: the kernel that runs it, e.g. <c>conv2: group-format sparse conv, G=4, … + relu (conv2_relu)</c>.</summary>
    public IReadOnlyList<string> Plan { get; }

    /// <summary>
    /// Uploads the model described by <paramref name="manifest"/>, reading weights from <paramref name="blob"/>
    /// (or from the manifest for unrolled layers), and compiles its kernels for <paramref name="accelerator"/>.
    /// </summary>
    /// <exception cref="NotSupportedException">A layer's op has no ILGPU kernel, or the model does not have one input and one output.</exception>
    /// <exception cref="InvalidDataException">The manifest and blob disagree.</exception>
    public static IlgpuModel Create(Accelerator accelerator, Manifest manifest, WeightBlobReader blob)
    {
        ArgumentNullException.ThrowIfNull(accelerator);
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(blob);
        if (manifest.Inputs.Count != 1 || manifest.Outputs.Count != 1)
        {
            throw new NotSupportedException($"model '{manifest.Model}' has {manifest.Inputs.Count} inputs and {manifest.Outputs.Count} outputs; the ILGPU runner takes one of each");
        }

        var memory = new DeviceMemory(accelerator);
        try
        {
            var builder = new GpuModelBuilder(accelerator, manifest, blob, memory);
            builder.Build();
            accelerator.Synchronize();
            return new IlgpuModel(accelerator, manifest, memory, builder);
        }
        catch
        {
            memory.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Loads the model the Sparsify build embedded in <paramref name="assembly"/>: the manifest text from
    /// resource <c>&lt;base&gt;.manifest</c> and the weight blob from <c>&lt;base&gt;.weights.bin</c>
    /// (checked against the manifest's length and SHA-256). The generated class names the base as
    /// <c>ResourceBaseName</c>, e.g. <c>Sparsify.MyApp.LeNet5</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">A resource is missing or the blob does not match the manifest.</exception>
    public static IlgpuModel FromAssembly(Accelerator accelerator, Assembly assembly, string resourceBaseName)
    {
        ArgumentNullException.ThrowIfNull(accelerator);
        ArgumentNullException.ThrowIfNull(assembly);
        ArgumentException.ThrowIfNullOrEmpty(resourceBaseName);
        var manifestName = resourceBaseName + ".manifest";
        string text;
        using (var stream = assembly.GetManifestResourceStream(manifestName)
            ?? throw new InvalidOperationException($"{assembly.GetName().Name} has no embedded resource '{manifestName}'; check the model item and the ResourceBaseName, then rebuild."))
        using (var reader = new StreamReader(stream))
        {
            text = reader.ReadToEnd();
        }

        var manifest = ManifestReader.Read(text);
        var blob = EmbeddedWeights.Load(assembly, resourceBaseName + ".weights.bin", manifest.BlobLength, manifest.BlobSha256);
        return Create(accelerator, manifest, blob);
    }

    /// <summary>
    /// Runs the model on <paramref name="input"/> (<see cref="InputLength"/> values, NCHW) into
    /// <paramref name="output"/> (<see cref="OutputLength"/> values). Calls are serialised: the device buffers are shared.
    /// </summary>
    public void Run(ReadOnlySpan<float> input, Span<float> output)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (input.Length != InputLength)
        {
            throw new ArgumentException($"model '{Manifest.Model}' takes {InputLength} input values, got {input.Length}", nameof(input));
        }

        if (output.Length < OutputLength)
        {
            throw new ArgumentException($"model '{Manifest.Model}' writes {OutputLength} output values; the destination holds {output.Length}", nameof(output));
        }

        lock (_gate)
        {
            _input.SubView(0, InputLength).CopyFromCPU(input);
            foreach (var step in _steps)
            {
                step();
            }

            Accelerator.Synchronize();
            _output.SubView(0, OutputLength).CopyToCPU(output[..OutputLength]);
        }
    }

    /// <summary>Runs and returns a new output array.</summary>
    public float[] Run(ReadOnlySpan<float> input)
    {
        var output = new float[OutputLength];
        Run(input, output);
        return output;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _memory.Dispose();
        }
    }

    private static int Length(IReadOnlyList<int> shape) => shape.Aggregate(1, (a, d) => a * d);
}
