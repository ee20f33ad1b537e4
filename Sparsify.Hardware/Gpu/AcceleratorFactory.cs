using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;

namespace Sparsify.Hardware.Gpu;

/// <summary>Which ILGPU accelerator <see cref="AcceleratorFactory"/> opens.</summary>
public enum AcceleratorChoice
{
    /// <summary>ILGPU's CPU accelerator (always present; slow, but exact enough to test kernels).</summary>
    Cpu,

    /// <summary>The first CUDA device; an error when there is none.</summary>
    Cuda,

    /// <summary>The first CUDA device when there is one, the CPU accelerator otherwise.</summary>
    Auto,
}

/// <summary>
/// Opens an ILGPU context and accelerator chosen by the environment variable
/// <see cref="EnvironmentVariable"/> (<c>cpu</c>, the default; <c>cuda</c>; <c>auto</c>), so the same
/// tests and programs run on ILGPU's CPU accelerator on a plain machine and on a GPU elsewhere.
/// </summary>
public static class AcceleratorFactory
{
    /// <summary>The environment variable read by <see cref="ChoiceFromEnvironment"/>.</summary>
    public const string EnvironmentVariable = "SPARSIFY_ILGPU_ACCELERATOR";

    /// <summary>The choice named by <see cref="EnvironmentVariable"/>; <see cref="AcceleratorChoice.Cpu"/> when unset or empty.</summary>
    /// <exception cref="InvalidOperationException">The variable holds something other than cpu, cuda or auto.</exception>
    public static AcceleratorChoice ChoiceFromEnvironment()
    {
        var value = Environment.GetEnvironmentVariable(EnvironmentVariable);
        return string.IsNullOrWhiteSpace(value) ? AcceleratorChoice.Cpu : Parse(value);
    }

    /// <summary>Parses <c>cpu</c>, <c>cuda</c> or <c>auto</c> (any case).</summary>
    /// <exception cref="InvalidOperationException">Any other text.</exception>
    public static AcceleratorChoice Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.Trim().ToUpperInvariant() switch
        {
            "CPU" => AcceleratorChoice.Cpu,
            "CUDA" => AcceleratorChoice.Cuda,
            "AUTO" => AcceleratorChoice.Auto,
            _ => throw new InvalidOperationException($"{EnvironmentVariable}='{value}' is not an accelerator Sparsify knows; use cpu, cuda or auto."),
        };
    }

    /// <summary>Opens a context and the accelerator <see cref="ChoiceFromEnvironment"/> names.</summary>
    public static IlgpuDevice CreateFromEnvironment() => Create(ChoiceFromEnvironment());

    /// <summary>Opens a context and the accelerator <paramref name="choice"/> names.</summary>
    /// <exception cref="InvalidOperationException">CUDA was asked for and no CUDA device is present.</exception>
    public static IlgpuDevice Create(AcceleratorChoice choice)
    {
        var context = Context.Create(builder => builder.Default());
        try
        {
            var cuda = context.GetCudaDevices();
            Accelerator accelerator = choice switch
            {
                AcceleratorChoice.Cuda when cuda.Count == 0 => throw new InvalidOperationException(
                    $"{EnvironmentVariable}=cuda asks for a CUDA device, but ILGPU found none (is the NVIDIA driver installed?)."),
                AcceleratorChoice.Cuda or AcceleratorChoice.Auto when cuda.Count > 0 => context.CreateCudaAccelerator(0),
                _ => context.CreateCPUAccelerator(0),
            };
            return new IlgpuDevice(context, accelerator);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }
}

/// <summary>An ILGPU context and one accelerator opened in it; disposing closes both.</summary>
public sealed class IlgpuDevice : IDisposable
{
    internal IlgpuDevice(Context context, Accelerator accelerator)
    {
        Context = context;
        Accelerator = accelerator;
    }

    /// <summary>The ILGPU context.</summary>
    public Context Context { get; }

    /// <summary>The accelerator models run on.</summary>
    public Accelerator Accelerator { get; }

    /// <summary>True for a CUDA accelerator.</summary>
    public bool IsCuda => Accelerator.AcceleratorType == AcceleratorType.Cuda;

    /// <summary>The accelerator's type and name, e.g. <c>Cuda: NVIDIA H100</c>.</summary>
    public string Description => $"{Accelerator.AcceleratorType}: {Accelerator.Name}";

    /// <inheritdoc />
    public void Dispose()
    {
        Accelerator.Dispose();
        Context.Dispose();
    }
}
