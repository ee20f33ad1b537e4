using System.Buffers.Binary;
using Sparsify.Core.Calibration;
using Sparsify.Core.Ir;
using Sparsify.Core.Tests.Support;

namespace Sparsify.Core.Tests.Calibration;

[TestClass]
public sealed class CalibrationSetTests
{
    private static readonly ImagePreprocessing Defaults = new();
    private string _dir = null!;

    [TestInitialize]
    public void CreateFolder() => _dir = TestData.TempDirectory();

    [TestCleanup]
    public void RemoveFolder() => Directory.Delete(_dir, recursive: true);

    [TestMethod]
    public void TensorFilesRoundTripBitwise()
    {
        var shape = new Shape(1, 2, 3, 4);
        var values = TestData.SeededValues(shape.ElementCount, 7);
        values[5] = -0f;
        var path = Path.Combine(_dir, "x.f32");
        CalibrationFixtures.WriteF32(path, values);
        var set = CalibrationSet.Load([path], shape, Defaults);
        Assert.HasCount(1, set.Samples);
        Assert.AreEqual(path, set.Samples[0].Path);
        CollectionAssert.AreEqual(values.Select(BitConverter.SingleToInt32Bits).ToArray(), set.Samples[0].Input.Select(BitConverter.SingleToInt32Bits).ToArray());

        // Any input shape with batch 1 takes tensors, and the image defaults are not in the way.
        var flat = Path.Combine(_dir, "flat.f32");
        CalibrationFixtures.WriteF32(flat, new float[10]);
        Assert.HasCount(10, CalibrationSet.Load([flat], new Shape(1, 10), Defaults).Samples[0].Input);
    }

    [TestMethod]
    public void ATensorOfTheWrongLengthGivesBothCounts()
    {
        var path = Path.Combine(_dir, "short.f32");
        CalibrationFixtures.WriteF32(path, new float[23]);
        CalibrationFixtures.Fails(() => CalibrationSet.Load([path], new Shape(1, 2, 3, 4), Defaults))
            .AssertNames(path, CalibrationSettings.Files, "has 92 bytes (23 values), but the model input needs 24 values (96 bytes)");
        File.WriteAllBytes(path, new byte[97]);
        CalibrationFixtures.Fails(() => CalibrationSet.Load([path], new Shape(1, 2, 3, 4), Defaults))
            .AssertNames(path, CalibrationSettings.Files, "not a whole number of");
    }

    [TestMethod]
    public void NonFiniteTensorValuesAreRefused()
    {
        var path = Path.Combine(_dir, "nan.f32");
        CalibrationFixtures.WriteF32(path, [0, 1, float.NaN, 2]);
        CalibrationFixtures.Fails(() => CalibrationSet.Load([path], new Shape(1, 4), Defaults)).AssertNames(path, CalibrationSettings.Files, "value 2 of the input is NaN");
    }

    [TestMethod]
    public void BadImagesAreErrorsNamingTheFile()
    {
        var input = new Shape(1, 3, 32, 32);
        Expect(CalibrationFixtures.File("gray.png"), input, "grayscale");
        Expect(CalibrationFixtures.File("tiny.png"), input, "16x16; its short side is smaller than the 32x32 crop");
        Expect(CalibrationFixtures.File("truncated.jpg"), new Shape(1, 3, 16, 16), "truncated");
        Expect(CalibrationFixtures.File("corrupt.jpg"), input, "corrupt");
        Expect(Path.Combine(_dir, "missing.jpg"), input, "does not exist");
        Expect(CalibrationFixtures.File("rgb.jpg"), new Shape(1, 1, 32, 32), "images need a model input shaped [1, 3, H, W]");

        var empty = Path.Combine(_dir, "empty.png");
        File.WriteAllBytes(empty, []);
        Expect(empty, input, "empty");
        var text = Path.Combine(_dir, "text.jpg");
        File.WriteAllText(text, "not an image");
        Expect(text, input, "not a JPEG or PNG");
        var other = Path.Combine(_dir, "notes.txt");
        File.WriteAllText(other, "x");
        Expect(other, input, "'.txt' is not a calibration file type");
    }

    [TestMethod]
    public void AnImageOverThePixelLimitIsRefusedFromItsHeader()
    {
        // Signature, IHDR and an empty IDAT (stb_image reads the chunks up to the first IDAT for the
        // header): no pixel data is needed to refuse it.
        var path = Path.Combine(_dir, "huge.png");
        var header = new byte[8 + 25 + 12];
        new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }.CopyTo(header, 0);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(8), 13);
        "IHDR"u8.CopyTo(header.AsSpan(12));
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(16), 9000);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(20), 9000);
        header[24] = 8; // bit depth
        header[25] = 2; // RGB
        "IDAT"u8.CopyTo(header.AsSpan(8 + 25 + 4));
        File.WriteAllBytes(path, header);
        Expect(path, new Shape(1, 3, 224, 224), "9000x9000 (81,000,000 pixels), more than the limit of 67,108,864");
    }

    [TestMethod]
    public void AFifoIsRefusedWithoutBlocking()
    {
        var fifo = SpecialFiles.Fifo(Path.Combine(_dir, "pipe.jpg"));
        SpecialFiles.Throws<CalibrationDataException>(() => CalibrationSet.Load([fifo], new Shape(1, 3, 4, 4), Defaults), fifo)
            .AssertNames(fifo, CalibrationSettings.Files, "named pipe");
    }

    [TestMethod]
    public void TheFirstBadFileInOrderIsTheOneReported()
    {
        var files = Enumerable.Range(0, 12).Select(i => Path.Combine(_dir, $"{i:D2}.f32")).ToArray();
        for (var i = 0; i < files.Length; i++)
        {
            CalibrationFixtures.WriteF32(files[i], new float[i is 5 or 9 ? 3 : 4]);
        }

        for (var run = 0; run < 5; run++)
        {
            CalibrationFixtures.Fails(() => CalibrationSet.Load(files, new Shape(1, 4), Defaults)).AssertNames(files[5], CalibrationSettings.Files, "3 values");
        }
    }

    [TestMethod]
    public void LoadingIsInFileOrderDeterministicAndReportsProgress()
    {
        var files = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var path = Path.Combine(_dir, $"{i}.f32");
            CalibrationFixtures.WriteF32(path, TestData.SeededValues(12, i));
            files.Add(path);
        }

        files.Add(CalibrationFixtures.File("rgb.jpg"));
        var input = new Shape(1, 3, 2, 2);
        var reports = new List<int>();
        var progress = new SynchronousProgress(reports);
        var first = CalibrationSet.Load(files, input, Defaults, progress);
        var second = CalibrationSet.Load(files, input, Defaults);
        CollectionAssert.AreEqual(files, first.Samples.Select(s => s.Path).ToArray());
        for (var i = 0; i < files.Count; i++)
        {
            CollectionAssert.AreEqual(first.Samples[i].Input, second.Samples[i].Input);
        }

        CollectionAssert.AreEqual(TestData.SeededValues(12, 3), first.Samples[3].Input);
        CollectionAssert.AreEquivalent(Enumerable.Range(1, files.Count).ToArray(), reports.ToArray());
    }

    [TestMethod]
    public void SplitSpreadsValidationSamplesEvenlyAndDeterministically()
    {
        var set = LoadTensors(10);
        var (calibration, validation) = set.Split(0.3);
        CollectionAssert.AreEqual(new[] { 3, 6, 9 }, validation.Samples.Select(Index).ToArray());
        CollectionAssert.AreEqual(new[] { 0, 1, 2, 4, 5, 7, 8 }, calibration.Samples.Select(Index).ToArray());
        var again = set.Split(0.3);
        CollectionAssert.AreEqual(validation.Samples.ToArray(), again.Validation.Samples.ToArray());
        Assert.IsEmpty(calibration.Samples.Intersect(validation.Samples));

        var (all, none) = set.Split(0);
        Assert.HasCount(10, all.Samples);
        Assert.IsEmpty(none.Samples);
        Assert.HasCount(9, set.Split(0.95).Validation.Samples);

        foreach (var bad in new[] { -0.1, 1.0, double.NaN })
        {
            CalibrationFixtures.Fails(() => set.Split(bad)).AssertNames(null, CalibrationSettings.ValidationFraction, "at least 0 and below 1");
        }
    }

    [TestMethod]
    public void AnEmptyListOrABatchAboveOneIsAnError()
    {
        CalibrationFixtures.Fails(() => CalibrationSet.Load([], new Shape(1, 4), Defaults)).AssertNames(null, CalibrationSettings.Files, "no calibration files");
        CalibrationFixtures.Fails(() => CalibrationSet.Load(["x.f32"], new Shape(2, 4), Defaults)).AssertNames(null, CalibrationSettings.Files, "batch 1");
    }

    private static int Index(CalibrationSample sample) => int.Parse(Path.GetFileNameWithoutExtension(sample.Path), System.Globalization.CultureInfo.InvariantCulture);

    private CalibrationSet LoadTensors(int count)
    {
        var files = Enumerable.Range(0, count).Select(i => Path.Combine(_dir, $"{i}.f32")).ToArray();
        foreach (var f in files)
        {
            CalibrationFixtures.WriteF32(f, [1, 2]);
        }

        return CalibrationSet.Load(files, new Shape(1, 2), Defaults);
    }

    private static void Expect(string path, Shape input, string problem) =>
        CalibrationFixtures.Fails(() => CalibrationSet.Load([path], input, Defaults)).AssertNames(path, CalibrationSettings.Files, problem);

    private sealed class SynchronousProgress(List<int> reports) : IProgress<int>
    {
        public void Report(int value)
        {
            lock (reports)
            {
                reports.Add(value);
            }
        }
    }
}
