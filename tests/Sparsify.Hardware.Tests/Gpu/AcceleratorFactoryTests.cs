using Sparsify.Core.Compilation;
using Sparsify.Training.Models;
using Sparsify.Hardware.Gpu;
using Sparsify.Runtime.Blob;

namespace Sparsify.Hardware.Tests.Gpu;

/// <summary>Choosing the accelerator, loading from an assembly, and the runner's argument checks.</summary>
[TestClass]
public sealed class AcceleratorFactoryTests
{
    [TestMethod]
    [DataRow("cpu", AcceleratorChoice.Cpu)]
    [DataRow(" CUDA ", AcceleratorChoice.Cuda)]
    [DataRow("Auto", AcceleratorChoice.Auto)]
    public void ParsesTheKnownNames(string text, AcceleratorChoice expected) => Assert.AreEqual(expected, AcceleratorFactory.Parse(text));

    [TestMethod]
    public void RejectsAnUnknownNameNamingTheVariable()
    {
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => AcceleratorFactory.Parse("opencl"));
        StringAssert.Contains(error.Message, AcceleratorFactory.EnvironmentVariable);
    }

    [TestMethod]
    public void TheCpuChoiceOpensTheCpuAccelerator()
    {
        using var device = AcceleratorFactory.Create(AcceleratorChoice.Cpu);
        Assert.IsFalse(device.IsCuda);
        StringAssert.StartsWith(device.Description, "CPU");
    }

    [TestMethod]
    public void FromAssemblyNamesTheMissingManifestResource()
    {
        var error = Assert.ThrowsExactly<InvalidOperationException>(
            () => IlgpuModel.FromAssembly(SharedDevice.Instance.Accelerator, typeof(AcceleratorFactoryTests).Assembly, "Sparsify.Missing.Model"));
        StringAssert.Contains(error.Message, "'Sparsify.Missing.Model.manifest'");
    }

    [TestMethod]
    public void RunChecksLengthsAndRefusesAfterDispose()
    {
        var compiled = ModelCompiler.Compile(ModelBuilders.LeNet5(), new CompileOptions { Sparsity = 0.5 });
        var model = IlgpuModel.Create(SharedDevice.Instance.Accelerator, compiled.Manifest, new WeightBlobReader(compiled.Blob));
        Assert.AreEqual(784, model.InputLength);
        Assert.AreEqual(10, model.OutputLength);
        Assert.IsGreaterThan(0L, model.DeviceBytes);
        Assert.ThrowsExactly<ArgumentException>(() => model.Run(new float[783], new float[10]));
        Assert.ThrowsExactly<ArgumentException>(() => model.Run(new float[784], new float[9]));
        model.Dispose();
        Assert.ThrowsExactly<ObjectDisposedException>(() => model.Run(new float[784], new float[10]));
    }
}
