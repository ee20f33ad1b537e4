using System.Runtime.InteropServices;
using Microsoft.Build.Framework;

namespace Sparsify.Tasks.Tests;

public sealed partial class SparsifyCompileTests
{
    // ---- calibration data ----

    [TestMethod]
    public void Calibration_PrunesDataAware_AndLogsTheHeldOutFidelity()
    {
        var folder = CalibrationFolder(10);
        var (task, engine, ok) = Run(Item(s_lenet, ("Sparsity", "0.7"), ("Calibration", folder)));

        Assert.IsTrue(ok, Describe(engine));
        var high = engine.Messages.Where(m => m.Importance == MessageImportance.High).Select(m => m.Message).ToArray();
        Assert.IsTrue(high.Any(m => m!.Contains("data-aware pruning on 8 calibration inputs; held-out fidelity on 2 inputs: mean cosine", StringComparison.Ordinal)), string.Join("\n", high));
        StringAssert.Contains(File.ReadAllText(task.Reports[0].ItemSpec), "data-aware pruning on 8 calibration inputs");
        Assert.IsTrue(engine.Messages.Any(m => m.Message!.Contains("pruning conv2", StringComparison.Ordinal)), "progress per layer");
    }

    [TestMethod]
    public void NoCalibration_TheLogSaysThePruningUsedNoData()
    {
        var (_, engine, ok) = Run(Item(s_lenet, ("Sparsity", "0.7")));

        Assert.IsTrue(ok, Describe(engine));
        Assert.IsTrue(engine.Messages.Any(m => m.Importance == MessageImportance.High && m.Message!.Contains("no calibration data: pruned by weight magnitude alone", StringComparison.Ordinal)));
    }

    [TestMethod]
    public void CalibrationRelativeToTheProject_IsFound()
    {
        var folder = CalibrationFolder(4);
        var item = Item(s_lenet, ("Sparsity", "0.5"), ("Calibration", Path.GetFileName(folder) + "/*.f32"), ("SparsifyProjectDirectory", Path.GetDirectoryName(folder)!));
        var (_, engine, ok) = Run(item);
        Assert.IsTrue(ok, Describe(engine));
    }

    [TestMethod]
    [DataRow("nothing", "Calibration")]
    [DataRow("short", "Calibration")]
    [DataRow("image", "Calibration")]
    public void UnusableCalibration_IsSprs1009_NamingTheFileAndTheSetting(string fault, string setting)
    {
        var folder = CalibrationFolder(3);
        var spec = fault switch
        {
            "nothing" => Path.Combine(folder, "*.png"),
            "short" => WriteFloats(Path.Combine(folder, "short.f32"), 100),
            _ => WriteBytes(Path.Combine(folder, "photo.png"), [0x89, 0x50, 0x4E, 0x47, 1, 2, 3]),
        };
        var error = AssertFails(Diagnostics.BadCalibration, s_lenet, Item(s_lenet, ("Sparsity", "0.5"), ("Calibration", spec)));

        StringAssert.Contains(error.Message, fault == "nothing" ? spec : Path.GetFileName(spec));
        StringAssert.Contains(error.Message, setting);
    }

    [TestMethod]
    [DataRow("CalibrationCount", "many")]
    [DataRow("CalibrationCount", "0")]
    [DataRow("CalibrationValidationFraction", "1.5")]
    [DataRow("CalibrationChannelOrder", "Grb")]
    [DataRow("CalibrationScale", "x")]
    [DataRow("CalibrationMean", "0.5;0.4")]
    public void MalformedCalibrationMetadata_IsSprs1003(string metadata, string value)
    {
        var error = AssertFails(Diagnostics.BadMetadata, s_lenet, Item(s_lenet, ("Sparsity", "0.5"), ("Calibration", CalibrationFolder(2)), (metadata, value)));
        StringAssert.Contains(error.Message, metadata);
    }

    [TestMethod]
    public void ACalibrationFileChangedAddedOrRemoved_RecompilesThatModel()
    {
        var folder = CalibrationFolder(5);
        string[] Compiled() => Run(Item(s_lenet, ("Sparsity", "0.5"), ("Calibration", folder))).Task.Manifests.Where(m => m.GetMetadata("Compiled") == "true").Select(m => m.GetMetadata("ClassName")).ToArray();

        CollectionAssert.AreEqual(new[] { "Lenet5" }, Compiled());
        Assert.IsEmpty(Compiled(), "nothing changed");

        var first = Directory.GetFiles(folder).Order(StringComparer.Ordinal).First();
        File.SetLastWriteTimeUtc(first, File.GetLastWriteTimeUtc(first).AddMinutes(-5));
        CollectionAssert.AreEqual(new[] { "Lenet5" }, Compiled(), "a file changed");

        WriteFloats(Path.Combine(folder, "extra.f32"), 784, seed: 99);
        CollectionAssert.AreEqual(new[] { "Lenet5" }, Compiled(), "a file added");

        File.Delete(first);
        CollectionAssert.AreEqual(new[] { "Lenet5" }, Compiled(), "a file removed");
        Assert.IsEmpty(Compiled());
    }

    // A folder of LeNet inputs (1×1×28×28 raw float32): strokes of seeded brightness on a dark field.
    // ---- fidelity target ----

    [TestMethod]
    public void FidelityTarget_PlansEachLayer_AndLogsThePlanAndTheValidatedFidelity()
    {
        var item = Item(s_lenet, ("Sparsity", "0.9"), ("Calibration", CalibrationFolder(12)), ("CalibrationValidationFraction", "0.25"), ("FidelityTarget", "0.9"));
        var (task, engine, ok) = Run(item);

        Assert.IsTrue(ok, Describe(engine));
        var high = engine.Messages.Where(m => m.Importance == MessageImportance.High).Select(m => m.Message!).ToArray();
        Assert.IsTrue(high.Any(m => m.Contains("fidelity target 0.9: ", StringComparison.Ordinal) && m.Contains("validated mean cosine", StringComparison.Ordinal)), string.Join("\n", high));
        Assert.IsTrue(high.Any(m => m.Contains("planned: conv2 ", StringComparison.Ordinal)), string.Join("\n", high));
        StringAssert.Contains(File.ReadAllText(task.Reports[0].ItemSpec), "fidelity target 0.9: ");
    }

    [TestMethod]
    [DataRow("0")]
    [DataRow("1.5")]
    [DataRow("high")]
    public void AFidelityTargetOutsideZeroToOne_IsSprs1003(string value)
    {
        var error = AssertFails(Diagnostics.BadMetadata, s_lenet, Item(s_lenet, ("Calibration", CalibrationFolder(4)), ("FidelityTarget", value)));
        StringAssert.Contains(error.Message, "FidelityTarget");
    }

    [TestMethod]
    public void AFidelityTargetWithoutCalibration_IsSprs1009()
    {
        var error = AssertFails(Diagnostics.BadCalibration, s_lenet, Item(s_lenet, ("Sparsity", "0.5"), ("FidelityTarget", "0.9")));
        StringAssert.Contains(error.Message, "FidelityTarget needs calibration data");
        StringAssert.Contains(error.Message, "metadata Calibration");
    }

    [TestMethod]
    public void AFidelityTargetNoPrunedPlanReaches_IsSprs1010_WithTheBestFidelity()
    {
        var error = AssertFails(
            Diagnostics.FidelityTargetUnreachable, s_lenet,
            Item(s_lenet, ("Sparsity", "0.9"), ("Calibration", CalibrationFolder(8)), ("CalibrationValidationFraction", "0.25"), ("FidelityTarget", "1")));
        StringAssert.Contains(error.Message, "the best plan tried keeps a mean cosine of");
        StringAssert.Contains(error.Message, "metadata FidelityTarget");
    }

    private static string CalibrationFolder(int count)
    {
        var folder = Directory.CreateDirectory(Path.Combine(s_root, "calibration-" + Guid.NewGuid().ToString("N"))).FullName;
        for (var i = 0; i < count; i++)
        {
            WriteFloats(Path.Combine(folder, $"input{i:D2}.f32"), 784, seed: i);
        }

        return folder;
    }

    private static string WriteFloats(string path, int count, int seed = 0)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = (i / 28 + seed) % 5 == 0 ? (float)random.NextDouble() : 0f;
        }

        File.WriteAllBytes(path, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
        return path;
    }

    private static string WriteBytes(string path, byte[] bytes)
    {
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
