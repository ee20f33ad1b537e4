using ILGPU;
using ILGPU.Runtime;
using Sparsify.Hardware.Gpu.Kernels;
using Sparsify.Runtime.Blob;
using Sparsify.Runtime.Manifests;

namespace Sparsify.Hardware.Gpu;

/// <summary>
/// Turns a manifest into a list of kernel launches over buffers allocated here, once: one buffer per
/// value (Flatten and Reshape alias their input), weights uploaded in their compressed arrays. Launches
/// follow the manifest's execution plan, so the epilogues fused are the generated CPU code's (a residual
/// Add and a ReLU folded into a convolution, a ReLU into a Gemm or an Add); its input-layout links are
/// CPU matters and ignored here.
/// </summary>
internal sealed partial class GpuModelBuilder
{
    private readonly Manifest _manifest;
    private readonly WeightBlobReader _blob;
    private readonly DeviceMemory _memory;
    private readonly KernelSet _kernels;
    private readonly Dictionary<string, ArrayView<float>> _values = new(StringComparer.Ordinal);
    private readonly ArrayView<float> _none;

    public GpuModelBuilder(Accelerator accelerator, Manifest manifest, WeightBlobReader blob, DeviceMemory memory)
    {
        _manifest = manifest;
        _blob = blob;
        _memory = memory;
        _kernels = new KernelSet(accelerator);
        _none = memory.Floats(1);
    }

    /// <summary>The launches, in order.</summary>
    public List<Action> Steps { get; } = [];

    /// <summary>One line per launch: the layer(s), the kernel and the fused epilogue.</summary>
    public List<string> Plan { get; } = [];

    /// <summary>The device buffer of each graph value.</summary>
    public IReadOnlyDictionary<string, ArrayView<float>> Values => _values;

    public void Build()
    {
        foreach (var input in _manifest.Inputs)
        {
            _values[input.Name] = _memory.Floats(Elements(input.Shape));
        }

        var layers = _manifest.Layers.ToDictionary(l => l.Name, StringComparer.Ordinal);
        foreach (var planned in _manifest.Execution.Steps)
        {
            // The kernels' epilogues apply ReLU; any other folded activation is a launch of its own.
            var (step, after) = planned.WithReluEpilogueOnly(layers);
            BuildStep(step, layers[step.Layer]);
            foreach (var activation in after)
            {
                BuildStep(activation, layers[activation.Layer]);

                // One plan line per step: the activation's launches follow the step's.
                Plan[^2] += $", then in a launch of its own {Plan[^1]}";
                Plan.RemoveAt(Plan.Count - 1);
            }
        }

        foreach (var output in _manifest.Outputs)
        {
            if (!_values.ContainsKey(output.Name))
            {
                throw new InvalidDataException($"model '{_manifest.Model}': no layer produces output '{output.Name}'");
            }
        }
    }

    private void BuildStep(ExecutionStep step, ManifestLayer layer)
    {
        switch (layer.Op)
        {
            case "Conv":
                BuildConv(step, layer);
                break;
            case "Gemm":
                BuildGemm(step, layer);
                break;
            case "MaxPool" or "AveragePool":
                BuildPool(layer);
                break;
            case "GlobalAveragePool":
                BuildGlobalAverage(layer);
                break;
            case "LRN":
                BuildLrn(layer);
                break;
            case "Relu":
                BuildRelu(layer);
                break;
            case "Clip":
                BuildClip(layer);
                break;
            case "Sigmoid" or "HardSigmoid":
                BuildSigmoid(layer);
                break;
            case "Mul":
                BuildMultiply(layer);
                break;
            case "Broadcast":
                BuildBroadcast(layer);
                break;
            case "MatMul":
                BuildMatMul(layer);
                break;
            case "Add":
                BuildAdd(step, layer);
                break;
            case "Concat":
                BuildConcat(layer);
                break;
            case "BatchNormalization":
                BuildChannelAffine(layer);
                break;
            case "ChannelLayerNorm":
                BuildChannelLayerNorm(layer);
                break;
            case "Gelu":
                BuildGelu(layer);
                break;
            case "LeakyRelu":
                BuildLeakyRelu(layer);
                break;
            case var function when ManifestOps.IsUnaryFunction(function):
                BuildUnary(layer, Array.IndexOf(ManifestOps.UnaryFunctions, function));
                break;
            case "Slice":
                BuildSlice(layer);
                break;
            case "Pad":
                BuildPad(layer);
                break;
            case "ReduceMean" or "ReduceSum":
                BuildReduce(layer);
                break;
            case "ChannelShuffle":
                BuildChannelShuffle(layer);
                break;
            case "Transpose":
                BuildTranspose(layer);
                break;
            case "Softmax":
                BuildSoftmax(layer);
                break;
            case "Flatten" or "Reshape":
                _values[layer.Output] = Input(layer, 0);
                Plan.Add($"{layer.Name}: {layer.Op} (a view of {layer.Inputs[0]}, no launch)");
                break;
            default:
                throw new NotSupportedException($"layer '{layer.Name}': Sparsify's ILGPU kernels do not cover {layer.Op}");
        }
    }

    /// <summary>The epilogue the plan folded into <paramref name="step"/>: the value its kernel writes, the residual and the ReLU.</summary>
    private (string Target, ArrayView<float> Residual, bool HasResidual, bool Relu, string Description) Epilogue(ExecutionStep step)
    {
        var description = string.Empty;
        var residual = _none;
        if (step.Residual is { } other)
        {
            residual = _values.TryGetValue(other, out var view)
                ? view
                : throw new InvalidDataException($"step '{step.Layer}' adds '{other}' before any layer writes it");
            description += $" + residual {other} ({step.Fused[0]})";
        }

        if (step.Relu)
        {
            description += $" + relu ({step.Fused[step.Fused.Count - 1]})";
        }

        return (step.Output, residual, step.Residual is not null, step.Relu, description);
    }

    private ArrayView<float> Input(ManifestLayer layer, int operand) =>
        _values.TryGetValue(layer.Inputs[operand], out var view)
            ? view
            : throw new InvalidDataException($"layer '{layer.Name}' reads '{layer.Inputs[operand]}' before any layer writes it");

    private ArrayView<float> Allocate(string value, IReadOnlyList<int> shape)
    {
        var view = _memory.Floats(Elements(shape));
        _values[value] = view;
        return view;
    }

    private static long Elements(IReadOnlyList<int> shape)
    {
        long count = 1;
        foreach (var d in shape)
        {
            count *= d;
        }

        return count;
    }

    private static int Product(EquatableList<int> shape, int from, int to)
    {
        var count = 1;
        for (var i = from; i < to; i++)
        {
            count *= shape[i];
        }

        return count;
    }
}
