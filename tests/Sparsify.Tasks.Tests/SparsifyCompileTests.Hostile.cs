using Microsoft.Build.Framework;
using Sparsify.Core.Tests.Support;

namespace Sparsify.Tasks.Tests;

/// <summary>
/// Hostile models (sizes past the limits, a FIFO where a file should be) and anything else that
/// escapes the compiler are one SPRS error line against the model file: never MSBuild's MSB4018
/// with a stack, never a build that hangs.
/// </summary>
public sealed partial class SparsifyCompileTests
{
    [TestMethod]
    public void HugePads_AreSprs1002_OneLineNamingTheFileAndTheNode()
    {
        var model = HostileModels.WithHugePads(NewModelDirectory());

        var error = AssertFails(Diagnostics.UnreadableModel, model, Item(model, ("Sparsity", "0.5")));
        StringAssert.StartsWith(error.Message, $"{model}: node 'conv1' (Conv): input extent 28 with pads 1073741824+1073741824");
        StringAssert.Contains(error.Message, "more than the largest dimension, 2,147,483,647");
        AssertOneLine(error.Message);
    }

    [TestMethod]
    public void TwoGigabyteExternalTensor_IsSprs1002_NamingTheTensorAndTheLimit()
    {
        var model = HostileModels.WithTwoGigabyteWeights(NewModelDirectory());

        var error = AssertFails(Diagnostics.UnreadableModel, model, Item(model, ("Sparsity", "0.5")));
        StringAssert.StartsWith(error.Message, $"{model}: node 'conv1' (Conv): tensor 'conv1.weight' with dims [536870912,1,1,1] holds 536,870,912 elements (2,147,483,648 bytes as FLOAT), more than the limit of 2,147,483,647 bytes per tensor");
        AssertOneLine(error.Message);
    }

    [TestMethod]
    public void FifoAsTheModel_IsSprs1002_AtOnce()
    {
        var fifo = SpecialFiles.Fifo(Path.Combine(NewModelDirectory(), "model.onnx"));

        var error = SpecialFiles.Within(() => AssertFails(Diagnostics.UnreadableModel, fifo, Item(fifo, ("Sparsity", "0.5"))), fifo);
        Assert.AreEqual($"{fifo}: the path is a named pipe (FIFO), not a regular file", error.Message);
    }

    [TestMethod]
    public void FifoAsExternalData_IsSprs1002_AtOnce()
    {
        var directory = NewModelDirectory();
        var fifo = SpecialFiles.Fifo(Path.Combine(directory, "conv1.bin"));
        var model = HostileModels.WithExternalWeights(directory, "conv1.bin");

        var error = SpecialFiles.Within(() => AssertFails(Diagnostics.UnreadableModel, model, Item(model, ("Sparsity", "0.5"))), fifo);
        StringAssert.Contains(error.Message, "tensor 'conv1.weight' has external data 'conv1.bin', which is a named pipe (FIFO), not a regular file; refused");
    }

    [TestMethod]
    public void DirectoryAsTheModel_IsSprs1002_SayingSo()
    {
        var directory = NewModelDirectory();

        var error = AssertFails(Diagnostics.UnreadableModel, directory, Item(directory, ("Sparsity", "0.5")));
        Assert.AreEqual($"{directory}: the path is a directory, not a regular file", error.Message);
    }

    [TestMethod]
    public void UnexpectedFailure_IsOneErrorLine_WithTheStackOnlyInTheDetailedLog()
    {
        // A path the file system API rejects outright (not an IOException): before, it escaped the task.
        _out = Path.Combine(s_root, "out\0put");
        var (task, engine, ok) = Run(Item(s_lenet, ("Sparsity", "0.5")));

        Assert.IsFalse(ok);
        Assert.HasCount(1, engine.Errors, Describe(engine));
        var error = engine.Errors[0];
        Assert.AreEqual(Diagnostics.OutputWriteFailed, error.Code);
        Assert.AreEqual(s_lenet, error.File);
        StringAssert.Contains(error.Message, "ArgumentException");
        AssertOneLine(error.Message);
        Assert.IsTrue(
            engine.Messages.Any(m => m.Importance == MessageImportance.Low && m.Message!.Contains("   at ", StringComparison.Ordinal)),
            "the stack goes to a low-importance message");
        Assert.IsEmpty(task.Manifests);
    }

    private static string NewModelDirectory() => Directory.CreateDirectory(Path.Combine(s_root, "models-" + Guid.NewGuid().ToString("N"))).FullName;

    private static void AssertOneLine(string? message)
    {
        Assert.IsFalse(message!.Contains('\n', StringComparison.Ordinal), message);
        Assert.IsFalse(message.Contains("   at ", StringComparison.Ordinal), message);
    }
}
