# fish completion for modinfo
functions -q __modtool_modules; or source (status dirname)/modtool-functions.fish

function __modtool_modinfo_argument
    __modtool_module_or_file b basedir k set-version
    string match -q -- '*/*' (commandline -ct); or __modtool_module_files --no-dirs
end

complete -c modinfo -f
complete -c modinfo -s a -l author -d "Print only 'author'"
complete -c modinfo -s d -l description -d "Print only 'description'"
complete -c modinfo -s l -l license -d "Print only 'license'"
complete -c modinfo -s p -l parameters -d "Print only 'parm'"
complete -c modinfo -s n -l filename -d "Print only 'filename'"
complete -c modinfo -s 0 -l null -d 'Use \0 instead of \n'
complete -c modinfo -s m -l modname -d 'Take the argument as a module name'
complete -c modinfo -s F -l field -x -d 'Print only the given field' \
    -a 'alias author build-id depends description filename firmware import_ns intree license name parm parmtype retpoline scmversion sig_hashalgo sig_id sig_key signature signer softdep srcversion staging vermagic version weakdep'
complete -c modinfo -s k -l set-version -x -d 'Kernel version instead of uname -r' \
    -a '(__modtool_versions b basedir k set-version)'
complete -c modinfo -s b -l basedir -x -d 'Filesystem root for /lib/modules' \
    -a '(__fish_complete_directories)'
complete -c modinfo -l json -d 'Print one JSON document'
complete -c modinfo -s V -l version -d 'Show version'
complete -c modinfo -s h -l help -d 'Show help'
complete -c modinfo -a '(__modtool_modinfo_argument)'
