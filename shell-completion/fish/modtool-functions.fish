# Functions of the fish completions of kmod, insmod, rmmod, lsmod, modinfo,
# modprobe and depmod, which source this file from their directory.
#
# Module names come from the selected kernel's modules.dep and modules.builtin
# (-S/-k VERSION and -d/-b ROOT on the line select it, as they do for the
# tool), loaded modules from /proc/modules.  Names are offered as the kernel
# spells them, with underscores, or with dashes when the word being completed
# has one: to the tools both are alike.

# __modtool_option_value SHORT LONG: the argument of the last -SHORT or
# --LONG option before the cursor.
function __modtool_option_value -a short long
    set -l tokens (commandline -opc)
    set -l value
    set -l i 2
    while test $i -le (count $tokens)
        set -l token $tokens[$i]
        if test "$token" = --
            break
        else if contains -- $token -$short --$long
            set i (math $i + 1)
            set value $tokens[$i]
        else if string match -q -- "--$long=*" $token
            set value (string replace -- "--$long=" '' $token)
        else if string match -q -- "-$short?*" $token
            set value (string sub -s 3 -- $token)
        end
        set i (math $i + 1)
    end
    printf '%s\n' $value
end

# __modtool_positionals OPTION...: the number of positional words before the
# cursor, the given options taking an argument in the next word.
function __modtool_positionals
    set -l tokens (commandline -opc)
    set -l count 0
    set -l ended
    set -l i 2
    while test $i -le (count $tokens)
        set -l token $tokens[$i]
        if set -q ended[1]; or not string match -q -- '-?*' $token
            set count (math $count + 1)
        else if test "$token" = --
            set ended 1
        else if contains -- $token $argv
            set i (math $i + 1)
        end
        set i (math $i + 1)
    end
    echo $count
end

# __modtool_module_dir ROOT-SHORT ROOT-LONG [VERSION-SHORT VERSION-LONG
# [MODULE-DIRECTORY]]: the module directory the line selects.
function __modtool_module_dir -a root_short root_long version_short version_long moddir
    set -l root (__modtool_option_value $root_short $root_long)
    set -l release
    if test -n "$version_short"
        set release (__modtool_option_value $version_short $version_long)
    end
    test -n "$release"; or set release (uname -r)
    test -n "$moddir"; or set moddir /lib/modules
    set root (string replace -r -- '^~(?=/|$)' $HOME $root | string replace -r -- '/$' '')
    echo $root$moddir/$release
end

# __modtool_names FILE...: the module names in the files, the first field of
# each line being a name or a module's path (modules.dep, modules.builtin,
# /proc/modules).  One awk for the thousands of lines of modules.dep.
function __modtool_names
    set -l files
    for file in $argv
        test -r $file; and set -a files $file
    end
    set -q files[1]; or return
    set -l names (LC_ALL=C awk -F '[: ]' '
        { n = $1; sub(/.*\//, "", n); sub(/\.ko(\.(gz|xz|zst))?$/, "", n); gsub(/-/, "_", n); print n }
        ' $files)
    if string match -q -- '*-*' (commandline -ct)
        string replace -a -- _ - $names
    else
        printf '%s\n' $names
    end
end

# __modtool_modules ARGUMENTS: the modules and built-in modules of the
# selected kernel, the arguments as for __modtool_module_dir.
function __modtool_modules
    set -l dir (__modtool_module_dir $argv)
    __modtool_names $dir/modules.dep $dir/modules.builtin
end

function __modtool_loaded
    __modtool_names /proc/modules
end

# __modtool_versions ARGUMENTS: the kernel versions, directories beside the
# selected module directory; the arguments as for __modtool_module_dir.
function __modtool_versions
    set -l dir (__modtool_module_dir $argv)
    for release in (string replace -r -- '/[^/]*$' '' $dir)/*/
        string replace -r -- '.*/([^/]+)/$' '$1' $release
    end
end

# __modtool_module_files [--no-dirs]: module files (.ko, compressed or not)
# and directories that begin with the word being completed.
function __modtool_module_files
    set -l base (commandline -ct | string replace -r -- '^~(?=/|$)' $HOME)
    for file in $base*
        if test -d $file
            test "$argv[1]" = --no-dirs; or echo $file/
        else if string match -qr -- '\.ko(\.(gz|xz|zst))?$' $file
            echo $file
        end
    end
end

# Module names, or module files when the word being completed looks like a
# path; the arguments as for __modtool_module_dir.
function __modtool_module_or_file
    if string match -q -- '*/*' (commandline -ct)
        __modtool_module_files
    else
        __modtool_modules $argv
    end
end
