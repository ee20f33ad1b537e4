using System.Reflection;
using System.Runtime.InteropServices;
using Sparsify.Core.Calibration;

namespace Sparsify.Core.Tests.Calibration;

/// <summary>The committed fixture images, the real photos and preprocessing model where present, and small helpers.</summary>
internal static class CalibrationFixtures
{
    /// <summary>The folder the fixtures are copied to beside the test assembly.</summary>
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "Calibration", "Fixtures");

    /// <summary>A fixture's full path: rgb.jpg (64x48), known.png and known-rgba.png (4x4), gray.png (32x32), tiny.png (16x16), truncated.jpg, corrupt.jpg.</summary>
    public static string File(string name) => Path.Combine(Folder, name);

    /// <summary>The pixel (x, y) of known.png, exactly: (10x + 40y, 200 − 10x, 5y + 1).</summary>
    public static (int R, int G, int B) Known(int x, int y) => ((10 * x) + (40 * y), 200 - (10 * x), (5 * y) + 1);

    /// <summary>ResNetPreprocess.onnx from the ResNet18 package, or the test is inconclusive without it.</summary>
    public static string ResNetPreprocess()
    {
        var path = typeof(CalibrationFixtures).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "ResNetPreprocessPath").Value!;
        if (!System.IO.File.Exists(path))
        {
            Assert.Inconclusive($"ResNetPreprocess.onnx is not at {path} (the Microsoft.ML.DnnImageFeaturizer.ResNet18 package)");
        }

        return path;
    }

    /// <summary>The shared/imagenet-sample folder found walking up from the test folder, or the test is inconclusive.</summary>
    public static string ImageNetSample()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "imagenet-sample");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        Assert.Inconclusive("no shared/imagenet-sample folder above the test folder");
        return string.Empty;
    }

    public static void WriteF32(string path, float[] values) => System.IO.File.WriteAllBytes(path, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    /// <summary>The error <paramref name="body"/> raises, within the FIFO tests' patience so a hang fails.</summary>
    public static CalibrationDataException Fails(Action body) => Support.SpecialFiles.Throws<CalibrationDataException>(body);

    /// <summary>Checks the error names the file (in the message too, as "FILE: problem") and the setting.</summary>
    public static CalibrationDataException AssertNames(this CalibrationDataException error, string? file, string setting, string problemPart)
    {
        Assert.AreEqual(setting, error.Setting, error.Message);
        Assert.AreEqual(file, error.FilePath, error.Message);
        if (file is not null)
        {
            StringAssert.StartsWith(error.Message, file + ": ");
        }

        StringAssert.Contains(error.Message, problemPart);
        return error;
    }
}
