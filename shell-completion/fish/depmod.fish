# fish completion for depmod
functions -q __modtool_versions; or source (status dirname)/modtool-functions.fish

function __modtool_depmod_argument
    set -l options -b --basedir -m --moduledir -o --outdir -C --config -E --symvers \
        -F --filesyms -P --symbol-prefix
    if test (__modtool_positionals $options) = 0
        set -l moddir (__modtool_option_value m moduledir)
        __modtool_versions b basedir '' '' $moddir
    else
        __modtool_module_files
    end
end

complete -c depmod -f
complete -c depmod -s a -l all -d 'Probe all modules'
complete -c depmod -s A -l quick -d 'Only act if a module is newer than modules.dep'
complete -c depmod -s b -l basedir -x -d 'Root directory the module directory lies under' \
    -a '(__fish_complete_directories)'
complete -c depmod -s m -l moduledir -x -d 'Module directory instead of /lib/modules' \
    -a '(__fish_complete_directories)'
complete -c depmod -s o -l outdir -x -d 'Write the outputs under DIR instead of the basedir' \
    -a '(__fish_complete_directories)'
complete -c depmod -s C -l config -r -F -d 'depmod.d configuration file or directory'
complete -c depmod -s E -l symvers -r -F -d 'Kernel symbols and CRCs from Module.symvers'
complete -c depmod -s F -l filesyms -r -F -d 'Kernel symbols from System.map'
complete -c depmod -s e -l errsyms -d 'Report unresolved symbols'
complete -c depmod -s P -l symbol-prefix -x -d 'Architecture symbol prefix'
complete -c depmod -s w -l warn -d 'Warn about duplicate index entries'
complete -c depmod -s n -l show -d 'Write the outputs to stdout'
complete -c depmod -l dry-run -d 'Write the outputs to stdout'
complete -c depmod -l incremental -d 'Parse only the modules changed since the last such run'
complete -c depmod -s v -l verbose -d 'More messages'
complete -c depmod -s V -l version -d 'Show version'
complete -c depmod -s h -l help -d 'Show help'
complete -c depmod -a '(__modtool_depmod_argument)'
