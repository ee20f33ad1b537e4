using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Sparsify.Runtime.Kernels;

/// <summary>
/// Scratch buffers that belong to a thread for its lifetime, one per use, pinned: a kernel allocates
/// only when a thread first needs a buffer of that use, or a longer one. A shared pool would do for
/// speed, but it trims itself on garbage collections, and a model call must not allocate once warm.
/// </summary>
/// <remarks>
/// Each use has its own slot because a call holds several at once (the padded image while its GEMM
/// tiles pack A). A buffer stays valid until the same thread asks for the same use again, which no
/// kernel does while it still reads the buffer.
/// </remarks>
internal static unsafe class ThreadScratch
{
    [ThreadStatic]
    private static float[]? paddedImage;

    [ThreadStatic]
    private static float[]? packedA;

    [ThreadStatic]
    private static float[]? transposed;

    [ThreadStatic]
    private static float[]? softmax;

    /// <summary>A convolution's input with explicit padding.</summary>
    public static float* PaddedImage(int length) => Get(ref paddedImage, length);

    /// <summary>A GEMM tile's packed rows of A.</summary>
    public static float* PackedA(int length) => Get(ref packedA, length);

    /// <summary>A batched fully connected layer's transposed result.</summary>
    public static float* Transposed(int length) => Get(ref transposed, length);

    /// <summary>One softmax column.</summary>
    public static float* Softmax(int length) => Get(ref softmax, length);

    private static float* Get(ref float[]? slot, int length)
    {
        if (slot is null || slot.Length < length)
        {
            slot = GC.AllocateUninitializedArray<float>(length, pinned: true);
        }

        return (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(slot));
    }
}
