using ILGPU;
using System.Runtime.CompilerServices;
using ILGPU.Runtime;

// ILGPU emits kernel launchers into a dynamic assembly of this name; the kernels and their shape structs are internal.
[assembly: InternalsVisibleTo("ILGPURuntime")]

namespace Sparsify.Hardware.Gpu.Kernels;

/// <summary>
/// The kernels of one model on one accelerator, each compiled on first use and then kept (ILGPU also
/// caches compiled kernels per context, so a second model pays little).
/// </summary>
internal sealed class KernelSet(Accelerator accelerator)
{
    private Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvShape, Epilogue>? _denseConv;
    private Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvShape, Epilogue>? _csrConv;
    private Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvShape, SparseShape, Epilogue>? _groupConv;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape, Epilogue>? _denseGemm;
    private Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape, Epilogue>? _csrGemm;
    private Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape, SparseShape, Epilogue>? _groupGemm;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, PoolShape>? _pool;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, int>? _globalAverage;
    private Action<Index1D, ArrayView<float>, ArrayView<float>>? _relu;
    private Action<Index1D, ArrayView<float>, float, float, ArrayView<float>>? _clip;
    private Action<Index1D, ArrayView<float>, ArrayView<float>>? _sigmoid;
    private Action<Index1D, ArrayView<float>, ArrayView<float>>? _gelu;
    private Action<Index1D, ArrayView<float>, float, ArrayView<float>>? _leakyRelu;
    private Action<Index1D, ArrayView<float>, int, ArrayView<float>>? _unary;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, float, ArrayView<float>>? _channelLayerNorm;
    private Action<Index1D, ArrayView<float>, float, float, ArrayView<float>>? _hardSigmoid;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, int, ArrayView<float>>? _multiply;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>? _add;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, int, int, int>? _slice;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, PadShape>? _pad;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, int, int, int>? _reduce;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, BroadcastShape>? _broadcast;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, TransposeShape>? _transpose;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<int>, ArrayView<float>, MatMulShape>? _matMul;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, int, int, int>? _channelShuffle;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, ArrayView<float>>? _channelAffine;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, int, int>? _softmax;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, int, int, int>? _copyBlock;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, LrnShape>? _lrn;

    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvShape, Epilogue> DenseConv =>
        _denseConv ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvShape, Epilogue>(ConvKernels.Dense);

    public Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvShape, Epilogue> CsrConv =>
        _csrConv ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvShape, Epilogue>(ConvKernels.Csr);

    public Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvShape, SparseShape, Epilogue> GroupConv =>
        _groupConv ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvShape, SparseShape, Epilogue>(ConvKernels.Group);

    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape, Epilogue> DenseGemm =>
        _denseGemm ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape, Epilogue>(FullyConnectedKernels.Dense);

    public Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape, Epilogue> CsrGemm =>
        _csrGemm ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape, Epilogue>(FullyConnectedKernels.Csr);

    public Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape, SparseShape, Epilogue> GroupGemm =>
        _groupGemm ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape, SparseShape, Epilogue>(FullyConnectedKernels.Group);

    public Action<Index1D, ArrayView<float>, ArrayView<float>, PoolShape> Pool =>
        _pool ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, PoolShape>(PoolKernels.Pool);

    public Action<Index1D, ArrayView<float>, ArrayView<float>, int> GlobalAverage =>
        _globalAverage ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int>(PoolKernels.GlobalAverage);

    public Action<Index1D, ArrayView<float>, ArrayView<float>> Relu =>
        _relu ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>>(ElementwiseKernels.Relu);

    public Action<Index1D, ArrayView<float>, float, float, ArrayView<float>> Clip =>
        _clip ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, float, float, ArrayView<float>>(ElementwiseKernels.Clip);

    public Action<Index1D, ArrayView<float>, float, ArrayView<float>> LeakyRelu =>
        _leakyRelu ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, float, ArrayView<float>>(ElementwiseKernels.LeakyRelu);

    public Action<Index1D, ArrayView<float>, int, ArrayView<float>> Unary =>
        _unary ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, int, ArrayView<float>>(ElementwiseKernels.Unary);

    public Action<Index1D, ArrayView<float>, ArrayView<float>> Gelu =>
        _gelu ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>>(ElementwiseKernels.Gelu);

    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, float, ArrayView<float>> ChannelLayerNorm =>
        _channelLayerNorm ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, float, ArrayView<float>>(MovementKernels.ChannelLayerNorm);

    public Action<Index1D, ArrayView<float>, ArrayView<float>> Sigmoid =>
        _sigmoid ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>>(ElementwiseKernels.Sigmoid);

    public Action<Index1D, ArrayView<float>, float, float, ArrayView<float>> HardSigmoid =>
        _hardSigmoid ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, float, float, ArrayView<float>>(ElementwiseKernels.HardSigmoid);

    public Action<Index1D, ArrayView<float>, ArrayView<float>, int, ArrayView<float>> Multiply =>
        _multiply ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, ArrayView<float>>(ElementwiseKernels.Multiply);

    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, BroadcastShape> Broadcast =>
        _broadcast ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, BroadcastShape>(ElementwiseKernels.Broadcast);

    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<int>, ArrayView<float>, MatMulShape> MatMul =>
        _matMul ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<int>, ArrayView<float>, MatMulShape>(ElementwiseKernels.MatMul);

    public Action<Index1D, ArrayView<float>, ArrayView<float>, TransposeShape> Transpose =>
        _transpose ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, TransposeShape>(MovementKernels.Transpose);

    public Action<Index1D, ArrayView<float>, ArrayView<float>, int, int, int> Reduce =>
        _reduce ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int, int>(MovementKernels.Reduce);

    public Action<Index1D, ArrayView<float>, ArrayView<float>, PadShape> Pad =>
        _pad ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, PadShape>(MovementKernels.Pad);

    public Action<Index1D, ArrayView<float>, ArrayView<float>, int, int, int> Slice =>
        _slice ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int, int>(MovementKernels.Slice);

    public Action<Index1D, ArrayView<float>, ArrayView<float>, int, int, int> ChannelShuffle =>
        _channelShuffle ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int, int>(MovementKernels.ChannelShuffle);

    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, ArrayView<float>> ChannelAffine =>
        _channelAffine ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, ArrayView<float>>(MovementKernels.ChannelAffine);

    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int> Add =>
        _add ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(ElementwiseKernels.Add);

    public Action<Index1D, ArrayView<float>, ArrayView<float>, int, int> Softmax =>
        _softmax ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int>(ElementwiseKernels.Softmax);

    public Action<Index1D, ArrayView<float>, ArrayView<float>, int, int, int> CopyBlock =>
        _copyBlock ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int, int>(ElementwiseKernels.CopyBlock);

    public Action<Index1D, ArrayView<float>, ArrayView<float>, LrnShape> Lrn =>
        _lrn ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, LrnShape>(ElementwiseKernels.Lrn);
}
