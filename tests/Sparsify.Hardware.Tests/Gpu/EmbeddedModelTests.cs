using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using System.Runtime.Loader;
using System.Text;
using Sparsify.Core.Compilation;
using Sparsify.Core.Execution;
using Sparsify.Training.Models;
using Sparsify.Hardware.Gpu;

namespace Sparsify.Hardware.Tests.Gpu;

/// <summary><see cref="IlgpuModel.FromAssembly"/> on an assembly embedding a model the way the Sparsify.Sdk build does.</summary>
[TestClass]
public sealed class EmbeddedModelTests
{
    private const string BaseName = "Sparsify.TestApp.LeNet5";

    [TestMethod]
    public void FromAssemblyRunsTheEmbeddedModel()
    {
        var graph = ModelBuilders.LeNet5();
        var compiled = ModelCompiler.Compile(graph, new CompileOptions { Sparsity = 0.9 });
        var assembly = AssemblyWith(
            (BaseName + ".manifest", Encoding.UTF8.GetBytes(compiled.ManifestText)),
            (BaseName + ".weights.bin", compiled.Blob.ToArray()));
        var input = GpuComparison.RandomInput(784, 3);
        using var model = IlgpuModel.FromAssembly(SharedDevice.Instance.Accelerator, assembly, BaseName);
        GpuComparison.AssertClose(new ReferenceExecutor(graph).Run(input), model.Run(input), string.Join("\n", model.Plan));
    }

    [TestMethod]
    public void FromAssemblyRefusesABlobThatDoesNotMatchTheManifest()
    {
        var compiled = ModelCompiler.Compile(ModelBuilders.LeNet5(), new CompileOptions { Sparsity = 0.9 });
        var blob = compiled.Blob.ToArray();
        blob[^1] ^= 0x40;
        var assembly = AssemblyWith((BaseName + ".manifest", Encoding.UTF8.GetBytes(compiled.ManifestText)), (BaseName + ".weights.bin", blob));
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => IlgpuModel.FromAssembly(SharedDevice.Instance.Accelerator, assembly, BaseName));
        StringAssert.Contains(error.Message, "SHA-256");
    }

    // An empty assembly with the given manifest resources, loaded into a collectible context.
    private static Assembly AssemblyWith(params (string Name, byte[] Bytes)[] resources)
    {
        var builder = new PersistedAssemblyBuilder(new AssemblyName("Sparsify.TestApp"), typeof(object).Assembly);
        builder.DefineDynamicModule("Sparsify.TestApp").DefineType("Sparsify.TestApp.Marker", TypeAttributes.Public).CreateType();
        var metadata = builder.GenerateMetadata(out var il, out var fieldData);
        var blob = new BlobBuilder();
        foreach (var (name, bytes) in resources)
        {
            metadata.AddManifestResource(ManifestResourceAttributes.Public, metadata.GetOrAddString(name), default, (uint)blob.Count);
            blob.WriteInt32(bytes.Length);
            blob.WriteBytes(bytes);
            blob.Align(8);
        }

        var pe = new ManagedPEBuilder(
            PEHeaderBuilder.CreateLibraryHeader(), new MetadataRootBuilder(metadata), il, mappedFieldData: fieldData, managedResources: blob);
        var image = new BlobBuilder();
        pe.Serialize(image);
        return new AssemblyLoadContext("Sparsify.TestApp", isCollectible: true).LoadFromStream(new MemoryStream(image.ToArray()));
    }
}
