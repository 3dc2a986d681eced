using TransformerLsp.Server.Workspace;

namespace TransformerLsp.Server.Tests.Workspace;

public class GitIgnoreTests
{
    // (.gitignore content, path relative to its folder, is a directory, expected: ignored?)
    [Theory]
    [InlineData("", "a.md", false, false)]
    [InlineData("# a.md\n\n", "a.md", false, false)]
    [InlineData("\\#a.md", "#a.md", false, true)]
    [InlineData("a.md   ", "a.md", false, true)]
    [InlineData("*.log", "x.log", false, true)]
    [InlineData("*.log", "deep/er/x.log", false, true)]
    [InlineData("*.log", "x.md", false, false)]
    [InlineData("?.md", "a.md", false, true)]
    [InlineData("?.md", "ab.md", false, false)]
    [InlineData("*.md", "a/b.md", false, true)]
    [InlineData("a*.md", "x/b.md", false, false)]
    [InlineData("[ab].md", "b.md", false, true)]
    [InlineData("[!ab].md", "b.md", false, false)]
    [InlineData("[!ab].md", "c.md", false, true)]
    [InlineData("/top.md", "top.md", false, true)]
    [InlineData("/top.md", "sub/top.md", false, false)]
    [InlineData("doc/a.md", "doc/a.md", false, true)]
    [InlineData("doc/a.md", "x/doc/a.md", false, false)] // a middle slash anchors
    [InlineData("drafts/", "drafts", true, true)]
    [InlineData("drafts/", "drafts", false, false)] // a file named drafts is not the folder
    [InlineData("drafts/", "notes/drafts", true, true)]
    [InlineData("**/drafts", "a/b/drafts", true, true)]
    [InlineData("**/drafts", "drafts", true, true)]
    [InlineData("a/**/b.md", "a/b.md", false, true)]
    [InlineData("a/**/b.md", "a/x/y/b.md", false, true)]
    [InlineData("a/**/b.md", "c/a/x/b.md", false, false)]
    [InlineData("a/**", "a/x/y.md", false, true)]
    [InlineData("a/**", "a", true, false)]
    [InlineData("*.md\n!keep.md", "keep.md", false, false)]
    [InlineData("*.md\n!keep.md", "other.md", false, true)]
    [InlineData("!keep.md\n*.md", "keep.md", false, true)] // the last matching pattern decides
    [InlineData("\\!x.md", "!x.md", false, true)]
    [InlineData("a.md\r\n", "a.md", false, true)]
    public void MatchesLikeGit(string content, string path, bool isDirectory, bool ignored)
    {
        Assert.Equal(ignored, GitIgnoreFile.Parse(content).Match(path, isDirectory) ?? false);
    }

    [Fact]
    public void ANestedFileAppliesToItsFolderAndOverridesItsParent()
    {
        var chain = GitIgnoreChain.Empty
            .With("", GitIgnoreFile.Parse("*.txt"))
            .With("notes", GitIgnoreFile.Parse("!*.txt\nsecret.md"));
        Assert.True(chain.IsIgnored("a.txt", false));
        Assert.False(chain.IsIgnored("notes/a.txt", false));
        Assert.True(chain.IsIgnored("notes/secret.md", false));
        Assert.False(chain.IsIgnored("secret.md", false));
    }

    [Fact]
    public void AFileUnderAnIgnoredFolderIsIgnoredEvenIfNegated()
    {
        var chain = GitIgnoreChain.Empty.With("", GitIgnoreFile.Parse("drafts/\n!drafts/keep.md"));
        Assert.True(chain.IsIgnoredWithParents("drafts/keep.md", false));
        Assert.False(chain.IsIgnoredWithParents("notes/keep.md", false));
    }
}
