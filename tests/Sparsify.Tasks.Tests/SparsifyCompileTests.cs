using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using Sparsify.Core.Compilation;
using Sparsify.Training.Models;
using Sparsify.Core.Onnx;
using Sparsify.Core.Sparsity;
using Sparsify.Runtime.Blob;
using Sparsify.Runtime.Manifests;

namespace Sparsify.Tasks.Tests;

[TestClass]
public sealed partial class SparsifyCompileTests
{
    private static string s_root = null!;
    private static string s_lenet = null!;
    private string _out = null!;

    [ClassInitialize]
    public static void WriteModels(TestContext context)
    {
        s_root = Path.Combine(Path.GetTempPath(), "sparsify-tasks-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(s_root);
        s_lenet = Path.Combine(s_root, "lenet-5.onnx");
        OnnxModel.Save(ModelBuilders.LeNet5(), s_lenet);
    }

    [ClassCleanup]
    public static void RemoveModels() => Directory.Delete(s_root, recursive: true);

    [TestInitialize]
    public void NewOutputDirectory() => _out = Path.Combine(s_root, "out-" + Guid.NewGuid().ToString("N"));

    // ---- happy path and metadata ----

    [TestMethod]
    public void HappyPath_WritesThreeFilesAndOutputItemsWithMetadata()
    {
        var (task, engine, ok) = Run(Item(s_lenet, ("Sparsity", "0.9"), ("Namespace", "My.Models")));

        Assert.IsTrue(ok, Describe(engine));
        Assert.IsEmpty(engine.Errors);
        Assert.IsEmpty(engine.Warnings);
        var (manifest, blob, report) = CompiledModel.FileNames("My.Models.Lenet5");
        CollectionAssert.AreEquivalent(new[] { manifest, blob, report, "My.Models.Lenet5.inputs" }, Directory.GetFiles(_out).Select(Path.GetFileName).ToArray());
        Assert.HasCount(1, task.Manifests);
        Assert.HasCount(1, task.WeightBlobs);
        Assert.HasCount(1, task.Reports);
        Assert.AreEqual(Path.Combine(_out, manifest), task.Manifests[0].ItemSpec);
        Assert.AreEqual(Path.Combine(_out, blob), task.WeightBlobs[0].ItemSpec);
        Assert.AreEqual(Path.Combine(_out, report), task.Reports[0].ItemSpec);
        foreach (var item in task.Manifests.Concat(task.WeightBlobs).Concat(task.Reports))
        {
            Assert.AreEqual("Lenet5", item.GetMetadata("ClassName"));
            Assert.AreEqual("My.Models", item.GetMetadata("Namespace"));
            Assert.AreEqual(s_lenet, item.GetMetadata("SourceModel"));
        }

        var m = ReadManifest(task);
        Assert.AreEqual("Lenet5", m.ClassName);
        Assert.AreEqual(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(s_lenet))), m.SourceSha256, "the manifest names the model file it came from");
        Assert.AreEqual(new FileInfo(Path.Combine(_out, blob)).Length, m.BlobLength);
        Assert.AreEqual("locality", m.Layers.First(l => l.Name == "conv2").Weights!.Scheme);
    }

    [TestMethod]
    public void Scheme_IsHonoured_CaseInsensitively()
    {
        var (task, engine, ok) = Run(Item(s_lenet, ("Sparsity", "0.8"), ("Scheme", "Unstructured")));

        Assert.IsTrue(ok, Describe(engine));
        Assert.AreEqual("unstructured", ReadManifest(task).Layers.First(l => l.Name == "fc1").Weights!.Scheme);
        StringAssert.StartsWith(File.ReadAllText(task.Reports[0].ItemSpec), "LeNet5: unstructured");
    }

    [TestMethod]
    public void Sparsity_IsHonoured()
    {
        var (task, engine, ok) = Run(Item(s_lenet, ("Sparsity", "0.5"), ("Scheme", "unstructured"), ("KeepFirstConvDense", "false")));

        Assert.IsTrue(ok, Describe(engine));
        foreach (var layer in ReadManifest(task).Layers.Where(l => l.Weights is not null))
        {
            Assert.AreEqual(0.5, layer.Weights!.Sparsity, 0.01, layer.Name);
        }
    }

    [TestMethod]
    public void KeepFirstConvDense_DefaultsToTrue()
    {
        var (task, engine, ok) = Run(Item(s_lenet, ("Sparsity", "0.5"), ("Scheme", "unstructured")));

        Assert.IsTrue(ok, Describe(engine));
        Assert.AreEqual(0.0, ReadManifest(task).Layers.First(l => l.Name == "conv1").Weights!.Sparsity);
    }

    [TestMethod]
    public void LayerSparsity_And_ExcludeLayers_AreHonoured()
    {
        var (task, engine, ok) = Run(Item(s_lenet, ("Scheme", "unstructured"), ("LayerSparsity", "conv2=0.75; fc1=0.9"), ("ExcludeLayers", "fc2")));

        Assert.IsTrue(ok, Describe(engine));
        var layers = ReadManifest(task).Layers.ToDictionary(l => l.Name);
        Assert.AreEqual(0.75, layers["conv2"].Weights!.Sparsity, 0.01);
        Assert.AreEqual(0.9, layers["fc1"].Weights!.Sparsity, 0.01);
        Assert.AreEqual(0.0, layers["fc2"].Weights!.Sparsity);
    }

    [TestMethod]
    public void LayerPlan_OverridesThePlanner()
    {
        var (task, engine, ok) = Run(Item(s_lenet, ("Sparsity", "0.9"), ("LayerPlan", "fc2=SparseUnrolled;fc1=dense")));

        Assert.IsTrue(ok, Describe(engine));
        var layers = ReadManifest(task).Layers.ToDictionary(l => l.Name);
        Assert.AreEqual(LayerExecution.SparseUnrolled, layers["fc2"].Plan);
        Assert.IsTrue(layers["fc2"].Overridden);
        Assert.AreEqual(LayerExecution.Dense, layers["fc1"].Plan);
        Assert.IsTrue(layers["fc1"].Overridden);
        Assert.IsFalse(layers["conv2"].Overridden);
    }

    [TestMethod]
    public void SchemeSettings_AreHonoured()
    {
        var (locality, engine, ok) = Run(Item(s_lenet, ("Sparsity", "0.8"), ("Scheme", "locality"), ("GroupSize", "5"), ("PeCount", "4"), ("BufferBytes", "4096")));
        Assert.IsTrue(ok, Describe(engine));
        Assert.AreEqual(5, ReadManifest(locality).Layers.First(l => l.Name == "conv2").Weights!.GroupSize);

        NewOutputDirectory();
        var (nm, engine2, ok2) = Run(Item(s_lenet, ("Sparsity", "0.875"), ("Scheme", "nm"), ("N", "1"), ("M", "8")));
        Assert.IsTrue(ok2, Describe(engine2));
        var fc1 = ReadManifest(nm).Layers.First(l => l.Name == "fc1").Weights!;
        Assert.AreEqual("nm", fc1.Scheme);
        Assert.AreEqual(1 - (1.0 / 8), fc1.Sparsity, 1e-9);
    }

    [TestMethod]
    public void ClassName_DefaultsToPascalCaseFileName_AndCanBeSet()
    {
        var (byDefault, engine, ok) = Run(Item(s_lenet, ("Sparsity", "0.5")));
        Assert.IsTrue(ok, Describe(engine));
        Assert.AreEqual(ModelCompiler.ClassNameOf("lenet-5"), byDefault.Manifests[0].GetMetadata("ClassName"));
        Assert.AreEqual("Lenet5", ReadManifest(byDefault).ClassName);
        Assert.IsTrue(File.Exists(Path.Combine(_out, "Lenet5.manifest")));

        NewOutputDirectory();
        var (set, engine2, ok2) = Run(Item(s_lenet, ("Sparsity", "0.5"), ("ClassName", "Digits")));
        Assert.IsTrue(ok2, Describe(engine2));
        Assert.AreEqual("Digits", set.Manifests[0].GetMetadata("ClassName"));
        Assert.AreEqual("Digits", ReadManifest(set).ClassName);
        Assert.IsTrue(File.Exists(Path.Combine(_out, "Digits.weights.bin")));
    }

    [TestMethod]
    public void InputShape_MatchingTheModel_IsAccepted()
    {
        var (task, engine, ok) = Run(Item(s_lenet, ("Sparsity", "0.5"), ("InputShape", "input=1x1x28x28")));

        Assert.IsTrue(ok, Describe(engine));
        CollectionAssert.AreEqual(new[] { 1, 1, 28, 28 }, ReadManifest(task).Inputs[0].Shape.ToArray());
    }

    [TestMethod]
    public void SameClassNameInDifferentNamespaces_IsFine()
    {
        var (task, engine, ok) = Run(
            Item(s_lenet, ("Sparsity", "0.5"), ("Namespace", "A")),
            Item(s_lenet, ("Sparsity", "0.5"), ("Namespace", "B")));

        Assert.IsTrue(ok, Describe(engine));
        Assert.HasCount(2, task.Manifests);
    }

    [TestMethod]
    public void Messages_TableAtNormal_SummaryAndDataAtHigh()
    {
        var (_, engine, ok) = Run(Item(s_lenet, ("Sparsity", "0.9")));

        Assert.IsTrue(ok, Describe(engine));
        var table = engine.Messages.Single(m => m.Message!.Contains("nonzeros", StringComparison.Ordinal));
        Assert.AreEqual(MessageImportance.Normal, table.Importance);
        foreach (var layer in new[] { "conv1", "conv2", "fc1", "fc2" })
        {
            StringAssert.Contains(table.Message, layer);
        }

        var high = engine.Messages.Where(m => m.Importance == MessageImportance.High).ToArray();
        Assert.HasCount(2, high);
        Assert.IsTrue(high.All(m => !m.Message!.Contains('\n', StringComparison.Ordinal)));
        StringAssert.Contains(high[0].Message, "LeNet5: locality sparsity");
        StringAssert.Contains(high[1].Message, "no calibration data");
    }

    // ---- diagnostics ----

    [TestMethod]
    public void MissingFile_IsSprs1001()
    {
        var missing = Path.Combine(s_root, "nope.onnx");
        AssertFails(Diagnostics.MissingModelFile, missing, Item(missing, ("Sparsity", "0.5")));
    }

    [TestMethod]
    public void CorruptModel_IsSprs1002_WithCoresMessage()
    {
        var corrupt = Path.Combine(s_root, "corrupt-" + Guid.NewGuid().ToString("N") + ".onnx");
        var bytes = File.ReadAllBytes(s_lenet);
        File.WriteAllBytes(corrupt, bytes.AsSpan(0, bytes.Length / 3).ToArray().Concat(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF }).ToArray());

        var error = AssertFails(Diagnostics.UnreadableModel, corrupt, Item(corrupt, ("Sparsity", "0.5")));
        StringAssert.Contains(error.Message, corrupt);
    }

    [TestMethod]
    public void SparsityOutOfRange_IsSprs1003()
    {
        var error = AssertFails(Diagnostics.BadMetadata, s_lenet, Item(s_lenet, ("Sparsity", "1.5")));
        StringAssert.Contains(error.Message, "Sparsity");
        StringAssert.Contains(error.Message, "1.5");
        StringAssert.Contains(error.Message, "from 0 (inclusive) to 1 (exclusive)");
    }

    [TestMethod]
    public void UnknownScheme_IsSprs1003_ListingValidNames()
    {
        var error = AssertFails(Diagnostics.BadMetadata, s_lenet, Item(s_lenet, ("Sparsity", "0.5"), ("Scheme", "fancy")));
        StringAssert.Contains(error.Message, "Scheme");
        StringAssert.Contains(error.Message, "fancy");
        foreach (var name in SparsitySchemes.Names)
        {
            StringAssert.Contains(error.Message, name);
        }
    }

    [TestMethod]
    public void UnknownLayerInLayerSparsity_IsSprs1003_ListingLayers()
    {
        var error = AssertFails(Diagnostics.BadMetadata, s_lenet, Item(s_lenet, ("LayerSparsity", "conv9=0.9")));
        StringAssert.Contains(error.Message, "LayerSparsity");
        StringAssert.Contains(error.Message, "conv9");
        StringAssert.Contains(error.Message, "conv1, conv2, fc1, fc2");
    }

    [TestMethod]
    [DataRow("InputShape", "input=1xAx28x28")]
    [DataRow("InputShape", "1x1x28x28")]
    [DataRow("LayerSparsity", "conv2")]
    [DataRow("LayerSparsity", "conv2=high")]
    [DataRow("LayerPlan", "conv2=Fast")]
    [DataRow("ExcludeLayers", "pool1")]
    [DataRow("GroupSize", "0")]
    [DataRow("PeCount", "many")]
    [DataRow("M", "2000")]
    [DataRow("ClassName", "3D-Net")]
    [DataRow("ClassName", "class")]
    [DataRow("ClassName", "record")]
    [DataRow("ClassName", "Bidi\u202eNet")]
    [DataRow("Namespace", "My..Models")]
    [DataRow("Namespace", "My.namespace")]
    [DataRow("KeepFirstConvDense", "maybe")]
    public void BadMetadata_IsSprs1003_NamingMetadataAndValue(string metadata, string value)
    {
        var error = AssertFails(Diagnostics.BadMetadata, s_lenet, Item(s_lenet, ("Sparsity", "0.5"), (metadata, value)));
        StringAssert.StartsWith(error.Message, metadata + ":");
    }

    [TestMethod]
    public void DuplicateClassNames_AreSprs1004_OnEveryItem()
    {
        var copy = Path.Combine(s_root, "LeNet_5.onnx");
        File.Copy(s_lenet, copy, overwrite: true);
        var (task, engine, ok) = Run(
            Item(s_lenet, ("Sparsity", "0.5"), ("Namespace", "N")),
            Item(copy, ("Sparsity", "0.5"), ("Namespace", "N"), ("ClassName", "Lenet5")));

        Assert.IsFalse(ok);
        Assert.HasCount(2, engine.Errors);
        Assert.IsTrue(engine.Errors.All(e => e.Code == Diagnostics.DuplicateClassName), Describe(engine));
        CollectionAssert.AreEquivalent(new[] { s_lenet, copy }, engine.Errors.Select(e => e.File).ToArray());
        StringAssert.Contains(engine.Errors[0].Message, "Lenet5");
        AssertNoOutputs(task);
    }

    [TestMethod]
    public void SettingsTheCompilerRejects_AreSprs1005()
    {
        // nm derives N = (1 - 0.3) x 4 = 2.8: not a whole number.
        var error = AssertFails(Diagnostics.SettingsRejected, s_lenet, Item(s_lenet, ("Sparsity", "0.3"), ("Scheme", "nm"), ("M", "4")));
        StringAssert.Contains(error.Message, "N");
        Assert.IsFalse(error.Message.Contains('\n', StringComparison.Ordinal), "one line in the build log");
        Assert.IsFalse(error.Message.Contains("(Parameter", StringComparison.Ordinal), error.Message);
    }

    [TestMethod]
    public void UnwritableOutputDirectory_IsSprs1006()
    {
        Directory.CreateDirectory(s_root);
        File.WriteAllText(_out, "a file where the output directory should be");
        try
        {
            var (task, engine, ok) = Run(Item(s_lenet, ("Sparsity", "0.5")));
            Assert.IsFalse(ok);
            Assert.HasCount(1, engine.Errors);
            Assert.AreEqual(Diagnostics.OutputWriteFailed, engine.Errors[0].Code, engine.Errors[0].Message);
            Assert.AreEqual(s_lenet, engine.Errors[0].File);
            Assert.IsEmpty(task.Manifests);
        }
        finally
        {
            File.Delete(_out);
        }
    }

    [TestMethod]
    public void OneBadItem_DoesNotStopTheOthers_ButFailsTheTask()
    {
        var (task, engine, ok) = Run(
            Item(s_lenet, ("Sparsity", "0.5")),
            Item(s_lenet, ("Sparsity", "2"), ("ClassName", "Broken")));

        Assert.IsFalse(ok);
        Assert.HasCount(1, engine.Errors);
        Assert.HasCount(1, task.Manifests);
        Assert.AreEqual("Lenet5", task.Manifests[0].GetMetadata("ClassName"));
        Assert.IsFalse(Directory.GetFiles(_out).Any(f => Path.GetFileName(f).StartsWith("Broken", StringComparison.Ordinal)));
    }

    [TestMethod]
    public void OnlyTheModelWhoseFileOrSettingsChanged_CompilesAgain()
    {
        var other = Path.Combine(s_root, "other-" + Guid.NewGuid().ToString("N") + ".onnx");
        File.Copy(s_lenet, other);
        ITaskItem[] Items(string sparsity) => [Item(s_lenet, ("Sparsity", "0.5")), Item(other, ("Sparsity", sparsity), ("ClassName", "Other"))];
        string[] Compiled(SparsifyCompile task) => task.Manifests.Where(m => m.GetMetadata("Compiled") == "true").Select(m => m.GetMetadata("ClassName")).Order(StringComparer.Ordinal).ToArray();

        var (first, engine, ok) = Run(Items("0.5"));
        Assert.IsTrue(ok, Describe(engine));
        CollectionAssert.AreEqual(new[] { "Lenet5", "Other" }, Compiled(first));

        // Nothing changed: both kept, both still outputs.
        var (second, _, _) = Run(Items("0.5"));
        Assert.IsEmpty(Compiled(second));
        Assert.HasCount(2, second.Manifests);
        Assert.HasCount(2, second.Records);

        // One model's file changes (any time stamp, older too): that one alone.
        File.SetLastWriteTimeUtc(other, File.GetLastWriteTimeUtc(other).AddDays(-3));
        CollectionAssert.AreEqual(new[] { "Other" }, Compiled(Run(Items("0.5")).Task));

        // One item's settings change: that one alone.
        CollectionAssert.AreEqual(new[] { "Other" }, Compiled(Run(Items("0.7")).Task));

        // One model's output is gone: that one alone.
        File.Delete(Path.Combine(_out, CompiledModel.FileNames("Lenet5").Blob));
        CollectionAssert.AreEqual(new[] { "Lenet5" }, Compiled(Run(Items("0.7")).Task));

        // A damaged record is no record.
        File.WriteAllText(CompileRecord.PathFor(_out, "Other"), "model elsewhere\n");
        CollectionAssert.AreEqual(new[] { "Other" }, Compiled(Run(Items("0.7")).Task));
    }

    [TestMethod]
    public void TheMetadataListNamesEveryMetadataConstant()
    {
        var declared = typeof(SparsifyMetadata).GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string)).Select(f => (string)f.GetRawConstantValue()!).ToArray();
        CollectionAssert.AreEquivalent(declared, SparsifyMetadata.All.ToArray());
    }

    [TestMethod]
    public void DiagnosticCodes_AreUniqueAndStable()
    {
        // Every code the class declares is listed, once, in order; a new constant must join the list.
        var declared = typeof(Diagnostics).GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .Order(StringComparer.Ordinal)
            .ToArray();
        CollectionAssert.AreEqual(declared, Diagnostics.All.Select(d => d.Code).ToArray());
        CollectionAssert.AreEqual(
            new[] { "SPRS1001", "SPRS1002", "SPRS1003", "SPRS1004", "SPRS1005", "SPRS1006", "SPRS1007", "SPRS1008", "SPRS1009", "SPRS1010" },
            declared);
        Assert.IsTrue(Diagnostics.All.All(d => d.Description.Length > 0));
    }

    // ---- helpers ----

    private static TaskItem Item(string path, params (string Name, string Value)[] metadata)
    {
        var item = new TaskItem(path);
        foreach (var (name, value) in metadata)
        {
            item.SetMetadata(name, value);
        }

        return item;
    }

    private (SparsifyCompile Task, FakeBuildEngine Engine, bool Ok) Run(params ITaskItem[] items)
    {
        var engine = new FakeBuildEngine();
        var task = new SparsifyCompile { BuildEngine = engine, Models = items, OutputDirectory = _out };
        var ok = task.Execute();
        return (task, engine, ok);
    }

    private BuildErrorEventArgs AssertFails(string code, string file, ITaskItem item)
    {
        var (task, engine, ok) = Run(item);
        Assert.IsFalse(ok);
        Assert.HasCount(1, engine.Errors, Describe(engine));
        var error = engine.Errors[0];
        Assert.AreEqual(code, error.Code, error.Message);
        Assert.AreEqual(file, error.File);
        AssertNoOutputs(task);
        return error;
    }

    private void AssertNoOutputs(SparsifyCompile task)
    {
        Assert.IsEmpty(task.Manifests);
        Assert.IsEmpty(task.WeightBlobs);
        Assert.IsEmpty(task.Reports);
        Assert.IsTrue(!Directory.Exists(_out) || Directory.GetFileSystemEntries(_out).Length == 0, "no files, temporary or final, are left");
    }

    private static Manifest ReadManifest(SparsifyCompile task) => ManifestReader.Read(File.ReadAllText(task.Manifests[0].ItemSpec));

    private static string Describe(FakeBuildEngine engine) =>
        string.Join("\n", engine.Errors.Select(e => $"{e.Code} {e.File}: {e.Message}").Concat(engine.Warnings.Select(w => $"{w.Code}: {w.Message}")));
}
