using System;
using System.Diagnostics;
using System.IO;
using System.Runtime.Versioning;
using NnGen.Onnx;
using NnGen.Shipping.Tests.Support;

namespace NnGen.Shipping.Tests;

/// <summary>
/// Weight files and ONNX exports replace the previous file whole or not at all (issue 21): a failure while writing (a
/// full disk) leaves the old file as it was, with its permissions, and no temporary file beside it.
/// </summary>
public sealed class AtomicWriteTests : IDisposable
{
    private readonly string _directory = Repository.TestDirectory("nngen-atomic");

    public void Dispose() => Repository.DeleteQuietly(_directory);

    [UnixFact]
    [UnsupportedOSPlatform("windows")]
    public void AtomicFile_WriterFailsHalfway_OldFileAndItsModeUntouchedAndNoTemporaryLeft()
    {
        string path = Path.Combine(_directory, "model.onnx");
        File.WriteAllBytes(path, [1, 2, 3]);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        IOException error = Assert.Throws<IOException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[10_000]);
            throw new IOException("No space left on device");
        }));

        Assert.Equal("No space left on device", error.Message);
        Assert.Equal([1, 2, 3], File.ReadAllBytes(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Single(Directory.GetFiles(_directory));
    }

    [Fact]
    public void AtomicFile_PathIsADirectory_IOExceptionNamingIt()
    {
        IOException error = Assert.Throws<IOException>(() => AtomicFile.Write(_directory, stream => stream.WriteByte(1)));

        Assert.Equal($"Cannot write '{_directory}': it is a directory; expected a file path.", error.Message);
    }

    [UnixFact]
    [UnsupportedOSPlatform("windows")]
    public void OnnxExport_OverAPrivateFile_KeepsItsPermissions()
    {
        string path = Path.Combine(_directory, "private.onnx");
        OnnxExporter.Export(new PlanarNet(seed: 1), path);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        OnnxExporter.Export(new MediumNet(seed: 2), path);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(OnnxExporter.ToBytes(new MediumNet(seed: 2)), File.ReadAllBytes(path));
    }

    [RootFact]
    public void OnnxExport_OnAFullDisk_LeavesThePreviousModelWhole()
    {
        // A 16 KiB tmpfs holds PlanarNet's model (~1 KiB) but not MediumNet's (~22 KiB).
        string mount = Path.Combine(_directory, "full");
        Directory.CreateDirectory(mount);
        Run("mount", $"-t tmpfs -o size=16k tmpfs {mount}");
        try
        {
            string path = Path.Combine(mount, "model.onnx");
            OnnxExporter.Export(new PlanarNet(seed: 1), path);
            byte[] before = File.ReadAllBytes(path);
            Assert.True(OnnxExporter.ToBytes(new MediumNet(seed: 2)).Length > 16 << 10);

            Assert.ThrowsAny<IOException>(() => OnnxExporter.Export(new MediumNet(seed: 2), path));

            Assert.Equal(before, File.ReadAllBytes(path));
            Assert.Equal([path], Directory.GetFiles(mount));
        }
        finally
        {
            Run("umount", mount);
        }
    }

    private static void Run(string program, string arguments)
    {
        using Process process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardError = true })!;
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{program} {arguments} failed ({process.ExitCode}): {error}");
    }
}
